import { z } from 'zod'

export const categorySchema = z.object({
  name: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
  kind: z.enum(['income', 'expense']),
  parent_id: z.string(),
  description: z.string().max(2000, 'validation.tooLong'),
})

export type CategoryFormValues = z.infer<typeof categorySchema>
