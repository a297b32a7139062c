// Resolves imports of our own modules for eslint-plugin-import (`import/no-cycle`): relative ones
// and the `@/` alias (tsconfig paths, vite.config.ts). Packages are left unresolved, so the plugin
// does not parse node_modules (a cycle cannot run through a package; no-unresolved is not used).
const path = require('node:path')
const node = require('eslint-import-resolver-node')

const SRC = path.resolve(__dirname, '..', 'src')
const OPTIONS = { extensions: ['.ts', '.tsx'] }

exports.interfaceVersion = 2
exports.resolve = (source, file) => {
  if (source.startsWith('@/')) return node.resolve(path.join(SRC, source.slice(2)), file, OPTIONS)
  if (source.startsWith('.')) return node.resolve(source, file, OPTIONS)
  return { found: false }
}
