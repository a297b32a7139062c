import { z } from 'zod'

/**
 * Zod compiles fast object parsers with `new Function`, after probing whether eval is allowed.
 * The server's Content-Security-Policy forbids eval, and Chromium reports even the caught
 * probe as a violation, so Zod runs without it. Must run before any schema is built: main.tsx
 * imports this module first.
 */
z.config({ jitless: true })
