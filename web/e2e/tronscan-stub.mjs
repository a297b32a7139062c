// TronScan played by a local server for the e2e run (LEDGER_TRONSCAN_URL points here): the
// importers' recorded answers. A hash it has a recording of answers that recording, any other
// hash is unknown; the TRC20 history is the recorded wallet history on one page.
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../importers/fixtures/tronscan')
const PORT = Number(process.env.TRONSCAN_STUB_PORT ?? 18182)
const read = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'))

const byHash = new Map()
for (const name of ['tx_usdt_confirmed.json', 'tx_usdt_reverted.json', 'tx_trx_transfer.json']) byHash.set(read(name).hash, read(name))
const unknown = read('tx_unknown.json')
const transfers = ['trc20_page1.json', 'trc20_page2.json', 'trc20_page3.json'].flatMap((p) => read(p).token_transfers)
const history = { total: transfers.length, rangeTotal: transfers.length, token_transfers: transfers }

http
  .createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${PORT}`)
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (url.pathname === '/healthz') return send(200, { ok: true })
    if (url.pathname === '/api/transaction-info') return send(200, byHash.get(url.searchParams.get('hash') ?? '') ?? unknown)
    if (url.pathname === '/api/token_trc20/transfers') return send(200, history)
    send(404, { message: `no recording for ${url.pathname}` })
  })
  .listen(PORT, '127.0.0.1')
