//! Argon2id password hashing (PHC strings, the argon2 crate's default parameters).
//! Hashing and verification are slow on purpose and take ~19 MiB each, so the async entry points
//! run them on a small dedicated pool (about one thread per core) behind a bounded queue: when
//! the queue is full the caller is refused at once ([`AccessError::HashingBusy`]) instead of another thread
//! and another 19 MiB (tokio's blocking pool has up to 512 threads, which is how 300 sign-ups
//! once took 7.8 GB).

use std::sync::OnceLock;

use std::cell::RefCell;

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore;

use domain::access::AccessError;

use crate::error::{AppError, AppResult};

thread_local! {
    /// Argon2's working memory (19 MiB with the default parameters), kept per hashing thread
    /// and reused: allocating and freeing it per hash left glibc's arenas holding ~270 MiB after
    /// 100 concurrent sign-ups on two threads; reused, the pool holds threads × 19 MiB.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Computes Argon2 of `password` and `salt` into `out`, in this thread's reusable memory
/// (hashes with more memory than the default, made elsewhere, get a buffer of their own).
fn argon2_into(
    argon2: &Argon2,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let needed = params.block_count();
    if needed > Params::DEFAULT_M_COST as usize {
        return argon2.hash_password_into(password, salt, out);
    }
    BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < needed {
            blocks.resize(needed, Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, out, &mut blocks[..needed])
    })
}

/// Hashes `password` with Argon2id (default parameters) and a fresh random salt; returns the
/// PHC string. Slow: call [`hash`] from async code.
pub fn hash_blocking(password: &str) -> AppResult<String> {
    let mut salt_bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(AppError::internal)?;
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(&argon2, &params, password.as_bytes(), &salt_bytes, &mut out)
        .map_err(AppError::internal)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(AppError::internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(AppError::internal)?),
    };
    Ok(phc.to_string())
}

/// Checks `password` against a PHC string (its own algorithm, version and parameters). A
/// malformed stored hash is an internal error, not a wrong password. Slow: call [`verify`]
/// from async code.
pub fn verify_blocking(password: &str, phc: &str) -> AppResult<bool> {
    let bad = |e: &dyn std::fmt::Display| AppError::internal(format!("stored password hash: {e}"));
    let parsed = PasswordHash::new(phc).map_err(|e| bad(&e))?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| bad(&e))?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| bad(&e))?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(|e| bad(&e))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(bad(&"no salt or no hash"));
    };
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(|e| bad(&e))?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    argon2_into(&argon2, &params, password.as_bytes(), salt, &mut out)
        .map_err(|e| AppError::internal(format!("password verification: {e}")))?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(&out).map_err(|e| bad(&e))? == expected)
}

/// A hash of a random password, made once, verified against when the account does not exist so
/// that an unknown email costs as much time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        hash_blocking(&hex::encode(secret)).expect("hashing a random password cannot fail")
    })
}

/// Runs the full verification work against the dummy hash and answers `false`.
pub fn dummy_verify_blocking(password: &str) -> bool {
    let _ = verify_blocking(password, dummy_hash());
    false
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads and their bounded queue.
struct Pool {
    queue: std::sync::mpsc::SyncSender<Job>,
}

static POOL: OnceLock<Pool> = OnceLock::new();

/// Starts the hashing pool with `threads` threads (0: one per core) and room for `queue`
/// waiting jobs. The first call wins (one pool per process); later calls change nothing.
pub fn configure_pool(threads: usize, queue: usize) {
    POOL.get_or_init(|| start_pool(threads, queue));
}

fn start_pool(threads: usize, queue: usize) -> Pool {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        threads
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(queue);
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    for i in 0..threads {
        let rx = rx.clone();
        std::thread::Builder::new()
            .name(format!("password-hash-{i}"))
            .spawn(move || {
                loop {
                    // Hold the lock only to take a job, not while running it.
                    let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
            .expect("spawn a password hashing thread");
    }
    Pool { queue: tx }
}

/// Every hashing thread is busy and the queue is full (answered 429 with `Retry-After`).
pub fn busy() -> AppError {
    AccessError::HashingBusy.into()
}

/// Runs `work` on the hashing pool; refuses at once when its queue is full.
async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let pool = POOL.get_or_init(|| start_pool(0, 16));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
    });
    match pool.queue.try_send(job) {
        Ok(()) => {}
        Err(std::sync::mpsc::TrySendError::Full(_)) => {
            metrics::counter!(crate::ops::metrics::PASSWORD_HASH_REJECTED).increment(1);
            return Err(busy());
        }
        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
            return Err(AppError::internal("the password hashing pool stopped"));
        }
    }
    rx.await
        .map_err(|_| AppError::internal("a password hashing job was lost"))
}

/// Hashes on the hashing pool (429 when it is saturated).
pub async fn hash(password: String) -> AppResult<String> {
    run(move || hash_blocking(&password)).await?
}

/// Verifies on the hashing pool (429 when it is saturated). `phc` is the stored hash, or `None`
/// when there is no such account: then the same work is done against a dummy hash and the
/// answer is `false`.
pub async fn verify(password: String, phc: Option<String>) -> AppResult<bool> {
    run(move || match phc {
        Some(phc) => verify_blocking(&password, &phc),
        None => Ok(dummy_verify_blocking(&password)),
    })
    .await?
}

/// Makes the dummy hash now (e.g. at start-up) so the first unknown-email sign-in does not pay
/// for it and stand out by its timing.
pub fn warm_up() {
    let _ = dummy_hash();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_with_random_salts() {
        let a = hash_blocking("correct horse battery").unwrap();
        let b = hash_blocking("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        let parsed = PasswordHash::new(&a).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(parsed.salt.is_some());
    }

    #[test]
    fn verification_accepts_only_the_right_password() {
        let phc = hash_blocking("correct horse battery").unwrap();
        assert!(verify_blocking("correct horse battery", &phc).unwrap());
        assert!(!verify_blocking("correct horse batterY", &phc).unwrap());
        assert!(!verify_blocking("", &phc).unwrap());
    }

    #[test]
    fn unicode_passwords_round_trip() {
        let phc = hash_blocking("pässwörd-🔑-密码").unwrap();
        assert!(verify_blocking("pässwörd-🔑-密码", &phc).unwrap());
        assert!(!verify_blocking("passwort-🔑-密码", &phc).unwrap());
    }

    #[test]
    fn hashes_match_the_argon2_crates_own() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_blocking("same password here").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"same password here", &parsed)
                .is_ok()
        );
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = Argon2::default()
            .hash_password(b"same password here", &salt)
            .unwrap()
            .to_string();
        assert!(verify_blocking("same password here", &theirs).unwrap());
        // Stronger parameters than the default use memory of their own and still verify.
        let strong = Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(32 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"strong one here", &salt)
        .unwrap()
        .to_string();
        assert!(verify_blocking("strong one here", &strong).unwrap());
        assert!(!verify_blocking("strong one herE", &strong).unwrap());
    }

    #[test]
    fn a_malformed_stored_hash_is_an_internal_error() {
        let e = verify_blocking("whatever-password", "not a phc string").unwrap_err();
        assert!(matches!(e, AppError::Internal(_)));
    }

    #[test]
    fn hashes_made_elsewhere_with_other_parameters_still_verify() {
        // Parameters live in the PHC string, so raising the defaults later keeps old hashes valid.
        use argon2::password_hash::PasswordHasher;
        let params = argon2::Params::new(8 * 1024, 1, 1, None).unwrap();
        let weak = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let phc = weak
            .hash_password(b"legacy-password", &salt)
            .unwrap()
            .to_string();
        assert!(verify_blocking("legacy-password", &phc).unwrap());
        assert!(!verify_blocking("legacy-passw0rd", &phc).unwrap());
    }

    #[test]
    fn the_dummy_verification_always_fails() {
        assert!(!dummy_verify_blocking("anything-at-all"));
        assert!(!dummy_verify_blocking(""));
    }

    #[test]
    fn a_full_queue_is_refused_at_once_with_429() {
        let pool = start_pool(1, 1);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        // One job occupies the thread, one waits in the queue: the third is refused.
        pool.queue
            .try_send(Box::new(move || {
                let _ = hold.recv();
            }))
            .unwrap();
        let mut refused = false;
        for _ in 0..3 {
            if pool.queue.try_send(Box::new(|| {})).is_err() {
                refused = true;
            }
        }
        assert!(refused);
        release.send(()).unwrap();
        assert!(matches!(busy(), AppError::Access(AccessError::HashingBusy)));
    }

    #[tokio::test]
    async fn async_entry_points_run_off_the_runtime() {
        let phc = hash("another good password".to_string()).await.unwrap();
        assert!(
            verify("another good password".to_string(), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("another bad password".to_string(), Some(phc))
                .await
                .unwrap()
        );
        assert!(
            !verify("another good password".to_string(), None)
                .await
                .unwrap()
        );
    }
}
