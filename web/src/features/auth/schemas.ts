import { z } from 'zod'

/** Messages are i18n keys; forms translate them when showing. */
export const emailSchema = z
  .string()
  .trim()
  .min(1, 'validation.required')
  .refine((v) => v === '' || z.email().safeParse(v).success, 'validation.email')

export const passwordSchema = z.string().min(10, 'validation.passwordMin').max(200, 'validation.passwordMax')

export const loginSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, 'validation.required'),
})

export const registerSchema = z
  .object({
    name: z.string().trim().max(200, 'validation.tooLong'),
    email: emailSchema,
    password: passwordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { message: 'validation.passwordsDiffer', path: ['confirm'] })

/** With an invitation the server knows the address: it may be left empty. */
export const invitedRegisterSchema = z
  .object({
    name: z.string().trim().max(200, 'validation.tooLong'),
    email: z
      .string()
      .trim()
      .refine((v) => v === '' || z.email().safeParse(v).success, 'validation.email'),
    password: passwordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { message: 'validation.passwordsDiffer', path: ['confirm'] })

export const forgotSchema = z.object({ email: emailSchema })

export const resetSchema = z
  .object({ password: passwordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: 'validation.passwordsDiffer', path: ['confirm'] })

export type LoginValues = z.infer<typeof loginSchema>
export type RegisterValues = z.infer<typeof registerSchema>
