// Checks the production bundle's initial JavaScript (what index.html loads before any lazy page:
// its module scripts and modulepreloads) against the bar, gzipped. Run after `npm run build`.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

const LIMIT_BYTES = 400 * 1024
const dist = path.resolve(import.meta.dirname, '..', 'dist')
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8')
const files = [...new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]))]
if (files.length === 0) throw new Error('no scripts found in dist/index.html')
let total = 0
for (const f of files) {
  const gz = zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length
  total += gz
  console.log(`${f}: ${(gz / 1024).toFixed(1)} KiB gzipped`)
}
console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} KiB gzipped (limit ${LIMIT_BYTES / 1024} KiB)`)
if (total > LIMIT_BYTES) {
  console.error('over the limit: split heavy screens into lazy chunks')
  process.exit(1)
}
