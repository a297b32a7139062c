// Resolves the `@/` alias (tsconfig paths, vite.config.ts) for eslint-plugin-import, so that
// `import/no-cycle` follows alias imports too; everything else goes to the Node resolver.
const path = require('node:path')
const node = require('eslint-import-resolver-node')

const SRC = path.resolve(__dirname, '..', 'src')
const OPTIONS = { extensions: ['.ts', '.tsx', '.js', '.mjs'] }

exports.interfaceVersion = 2
exports.resolve = (source, file) => node.resolve(source.startsWith('@/') ? path.join(SRC, source.slice(2)) : source, file, OPTIONS)
