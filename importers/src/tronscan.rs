//! TronScan API client: transaction lookup and wallet transfer history.
