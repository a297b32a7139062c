/**
 * Session tokens: the access token lives in memory only, the refresh token in localStorage.
 *
 * Refresh tokens are single-use and presenting one twice revokes the whole session, so every
 * refresh goes through {@link TokenStore.refresh}, which shares one in-flight refresh among all
 * callers. A caller whose request failed with an access token that has since been replaced
 * gets the new token without a second refresh.
 */
export interface TokenPair {
  access_token: string
  refresh_token: string
  expires_in: number
}

/** Thrown by a refresh function when the server refused the refresh token (401/403). */
export class RefreshRejected extends Error {
  constructor(message = 'refresh token rejected') {
    super(message)
    this.name = 'RefreshRejected'
  }
}

export type RefreshFn = (refreshToken: string) => Promise<TokenPair>

export const REFRESH_TOKEN_KEY = 'ledger.refresh_token'

type Listener = (signedIn: boolean) => void

export class TokenStore {
  private access: string | null = null
  private inflight: Promise<string | null> | null = null
  private readonly listeners = new Set<Listener>()
  private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
  private readonly doRefresh: RefreshFn

  constructor(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>, doRefresh: RefreshFn) {
    this.storage = storage
    this.doRefresh = doRefresh
  }

  get accessToken(): string | null {
    return this.access
  }

  get refreshToken(): string | null {
    try {
      return this.storage.getItem(REFRESH_TOKEN_KEY)
    } catch {
      return null
    }
  }

  get hasSession(): boolean {
    return this.access !== null || this.refreshToken !== null
  }

  set(pair: TokenPair) {
    this.access = pair.access_token
    this.storage.setItem(REFRESH_TOKEN_KEY, pair.refresh_token)
    this.emit(true)
  }

  clear() {
    const had = this.hasSession
    this.access = null
    this.storage.removeItem(REFRESH_TOKEN_KEY)
    if (had) this.emit(false)
  }

  /** Subscribes to sign-in/sign-out changes; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * A fresh access token, or null when the session is over. `stale` is the access token that
   * just failed: if it was already replaced, the current one is answered without refreshing.
   */
  refresh(stale?: string | null): Promise<string | null> {
    if (stale !== undefined && this.access !== null && this.access !== stale) {
      return Promise.resolve(this.access)
    }
    if (this.inflight) return this.inflight
    const run = this.run()
    this.inflight = run
    void run.finally(() => {
      if (this.inflight === run) this.inflight = null
    })
    return run
  }

  private async run(): Promise<string | null> {
    const token = this.refreshToken
    if (!token) {
      this.clear()
      return null
    }
    try {
      const pair = await this.doRefresh(token)
      this.set(pair)
      return pair.access_token
    } catch (e) {
      if (e instanceof RefreshRejected) this.clear()
      return null
    }
  }

  private emit(signedIn: boolean) {
    this.listeners.forEach((l) => l(signedIn))
  }
}
