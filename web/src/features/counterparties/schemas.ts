import { z } from 'zod'

const optionalEmail = z
  .string()
  .trim()
  .refine((v) => v === '' || z.email().safeParse(v).success, 'validation.email')

export const contactSchema = z.object({
  name: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
  email: optionalEmail,
  phone: z.string().trim().max(50, 'validation.tooLong'),
  role: z.string().trim().max(100, 'validation.tooLong'),
})

export const counterpartySchema = z.object({
  name: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
  kind: z.enum(['customer', 'vendor', 'affiliate_program']),
  email: optionalEmail,
  phone: z.string().trim().max(50, 'validation.tooLong'),
  website: z
    .string()
    .trim()
    .refine((v) => v === '' || /^https?:\/\/\S+$/i.test(v), 'validation.url'),
  tax_id: z.string().trim().max(50, 'validation.tooLong'),
  notes: z.string().max(5000, 'validation.tooLong'),
  contacts: z.array(contactSchema).max(50),
})

export type CounterpartyFormValues = z.infer<typeof counterpartySchema>
