//! Exchange-rate sources (ECB reference rates for fiat, a crypto price source for TRX and USDT).
