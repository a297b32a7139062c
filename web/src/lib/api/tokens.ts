/**
 * Session tokens: the access token lives in memory only; the refresh token lives in an
 * HttpOnly cookie the page never sees (see ./session-cookie). A reload starts with no access
 * token and gets one by refreshing through the cookie.
 *
 * Refresh tokens are single-use and presenting one twice revokes the whole session, so every
 * refresh goes through {@link TokenStore.refresh}, which shares one in-flight refresh among all
 * callers of this tab and holds a lock shared with the other tabs (the Web Locks API), so two
 * tabs never present the same cookie at once. A caller whose request failed with an access
 * token that has since been replaced gets the new token without a second refresh.
 */
export interface AccessToken {
  access_token: string
  expires_in: number
}

/** Thrown by a refresh function when the server refused the refresh cookie (401/403). */
export class RefreshRejected extends Error {
  constructor(message = 'refresh token rejected') {
    super(message)
    this.name = 'RefreshRejected'
  }
}

/** Asks the server for a new access token by the refresh cookie. */
export type RefreshFn = () => Promise<AccessToken>

/** Whether a cookie session exists, and a way to forget it on this side. */
export interface SessionMarker {
  present(): boolean
  forget(): void
}

/** Runs `fn` while holding a lock shared by every tab of this origin. */
export type CrossTabLock = <T>(fn: () => Promise<T>) => Promise<T>

const LOCK_NAME = 'ledger.refresh'

/** The Web Locks API where the browser has it; without it, tabs are not coordinated. */
export const webLock: CrossTabLock = <T,>(fn: () => Promise<T>): Promise<T> =>
  typeof navigator !== 'undefined' && navigator.locks ? (navigator.locks.request(LOCK_NAME, fn) as Promise<T>) : fn()

type Listener = (signedIn: boolean) => void

export class TokenStore {
  private access: string | null = null
  private inflight: Promise<string | null> | null = null
  private readonly listeners = new Set<Listener>()
  private readonly session: SessionMarker
  private readonly doRefresh: RefreshFn
  private readonly lock: CrossTabLock

  constructor(session: SessionMarker, doRefresh: RefreshFn, lock: CrossTabLock = (fn) => fn()) {
    this.session = session
    this.doRefresh = doRefresh
    this.lock = lock
  }

  get accessToken(): string | null {
    return this.access
  }

  get hasSession(): boolean {
    return this.access !== null || this.session.present()
  }

  set(token: AccessToken) {
    this.access = token.access_token
    this.emit(true)
  }

  clear() {
    const had = this.hasSession
    this.access = null
    this.session.forget()
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
    if (!this.session.present()) {
      this.clear()
      return null
    }
    try {
      const token = await this.lock(() => this.doRefresh())
      this.set(token)
      return token.access_token
    } catch (e) {
      if (e instanceof RefreshRejected) this.clear()
      return null
    }
  }

  private emit(signedIn: boolean) {
    this.listeners.forEach((l) => l(signedIn))
  }
}
