import { QueryClientProvider } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { Toaster } from 'react-hot-toast'

import { SessionProvider } from '@/lib/auth'
import { I18nProvider } from '@/lib/i18n'
import { createQueryClient } from '@/lib/query'

export function AppProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient)
  return (
    <I18nProvider>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          {children}
          <Toaster position="bottom-right" toastOptions={{ duration: 5000 }} />
        </SessionProvider>
      </QueryClientProvider>
    </I18nProvider>
  )
}
