import { z } from 'zod'

export const projectSchema = z.object({
  name: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
  code: z.string().trim().max(50, 'validation.tooLong'),
  description: z.string().max(2000, 'validation.tooLong'),
})

export type ProjectFormValues = z.infer<typeof projectSchema>
