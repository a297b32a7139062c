import { describe, expect, it } from 'vitest'

import { invitedRegisterSchema, loginSchema, registerSchema } from './schemas'

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  r.success ? [] : (r.error?.issues ?? []).map((i) => `${i.path.join('.')}:${i.message}`)

describe('auth schemas', () => {
  it('accepts a valid registration', () => {
    expect(registerSchema.safeParse({ name: '', email: ' alice@example.com ', password: 'long-enough-pw', confirm: 'long-enough-pw' }).success).toBe(true)
  })

  it('explains what is wrong with a registration', () => {
    const r = registerSchema.safeParse({ name: '', email: 'not-an-email', password: 'short', confirm: 'other' })
    expect(issues(r)).toEqual(expect.arrayContaining(['email:validation.email', 'password:validation.passwordMin']))
    const r2 = registerSchema.safeParse({ name: '', email: 'a@b.co', password: 'long-enough-pw', confirm: 'different-pw' })
    expect(issues(r2)).toEqual(['confirm:validation.passwordsDiffer'])
  })

  it('lets an invited user leave the email to the invitation, but not mistype it', () => {
    expect(invitedRegisterSchema.safeParse({ name: '', email: '', password: 'long-enough-pw', confirm: 'long-enough-pw' }).success).toBe(true)
    expect(issues(invitedRegisterSchema.safeParse({ name: '', email: 'nope', password: 'long-enough-pw', confirm: 'long-enough-pw' }))).toEqual(['email:validation.email'])
  })

  it('requires both login fields', () => {
    expect(issues(loginSchema.safeParse({ email: '', password: '' }))).toEqual(['email:validation.required', 'password:validation.required'])
  })
})
