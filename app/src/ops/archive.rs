//! The backup archive: one tar file holding `manifest.json` first, then `database.dump` (a
//! `pg_dump -Fc` of everything but the rebuildable read side), the uploads still referenced
//! under `uploads/`, and `secrets/jwt-secret` only when asked. A tar because every machine
//! can list and unpack one without us (`tar -tf`), and it streams: nothing is held in memory.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{OpsError, OpsResult};

/// Bumped when the archive's layout changes; restore refuses formats it does not know.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
pub const DUMP: &str = "database.dump";
pub const UPLOADS: &str = "uploads";
pub const JWT_SECRET: &str = "secrets/jwt-secret";

/// Where the log stood in the dump's snapshot: the last sealed event (its gapless `seq`, its
/// position in the events table) and the chain hash there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHead {
    pub seq: i64,
    pub position: i64,
    pub hash: String,
}

/// A file in the archive, with what it must hash to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// An upload still named by an import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    pub import_id: uuid::Uuid,
    #[serde(flatten)]
    pub entry: Entry,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub product_version: String,
    /// The latest migration applied to the database when it was dumped.
    pub schema_version: Option<i64>,
    pub log_head: LogHead,
    /// Events in the log in the dump's snapshot, sealed or not yet.
    pub event_count: i64,
    pub created_at: DateTime<Utc>,
    pub database: Entry,
    pub uploads: Vec<Upload>,
    pub includes_secrets: bool,
}

/// SHA-256 and length of a file, read in pieces.
pub fn hash_file(path: &Path) -> OpsResult<(String, u64)> {
    let mut file = BufReader::new(File::open(path).map_err(OpsError::io(open_ctx(path)))?);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(OpsError::io(format!("reading {}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

fn open_ctx(path: &Path) -> String {
    format!("opening {}", path.display())
}

/// What goes into an archive besides the manifest: (name in the archive, open file, length).
pub struct Part {
    pub name: String,
    pub file: File,
    pub bytes: u64,
}

/// Writes the archive to `tmp` (manifest first, then the parts) and syncs it to disk. The
/// caller moves it into place; a crash leaves only the temporary file.
pub fn write(tmp: &Path, manifest: &Manifest, parts: Vec<Part>) -> OpsResult<()> {
    let ctx = || format!("writing {}", tmp.display());
    let file = File::create_new(tmp).map_err(OpsError::io(ctx()))?;
    let mut tar = tar::Builder::new(BufWriter::new(file));
    let json = serde_json::to_vec_pretty(manifest).map_err(|e| OpsError::Other(e.to_string()))?;
    append(&mut tar, MANIFEST, json.len() as u64, json.as_slice()).map_err(OpsError::io(ctx()))?;
    for part in parts {
        // A file that grew or shrank since it was measured would corrupt the tar stream.
        let reader = part.file.take(part.bytes);
        append(&mut tar, &part.name, part.bytes, reader).map_err(OpsError::io(ctx()))?;
    }
    let writer = tar.into_inner().map_err(OpsError::io(ctx()))?;
    let file = writer.into_inner().map_err(|e| OpsError::Io {
        context: ctx(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(OpsError::io(ctx()))
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: u64,
    data: impl Read,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes);
    header.set_mode(0o600);
    header.set_mtime(Utc::now().timestamp().max(0) as u64);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, data)
}

/// Reads the manifest (the archive's first entry) without unpacking anything else.
pub fn read_manifest(archive: &Path) -> OpsResult<Manifest> {
    let file = File::open(archive).map_err(OpsError::io(open_ctx(archive)))?;
    let mut tar = tar::Archive::new(BufReader::new(file));
    let mut entries = tar
        .entries()
        .map_err(|e| OpsError::BadArchive(format!("not a tar file: {e}")))?;
    let mut first = entries
        .next()
        .ok_or_else(|| OpsError::BadArchive("it is empty".into()))?
        .map_err(|e| OpsError::BadArchive(format!("not a tar file: {e}")))?;
    let name = first.path().map(|p| p.to_string_lossy().into_owned());
    if name.as_deref().ok() != Some(MANIFEST) {
        return Err(OpsError::BadArchive(format!(
            "its first entry is not {MANIFEST}"
        )));
    }
    let mut json = String::new();
    first
        .read_to_string(&mut json)
        .map_err(|e| OpsError::BadArchive(format!("{MANIFEST}: {e}")))?;
    let manifest: Manifest = serde_json::from_str(&json)
        .map_err(|e| OpsError::BadArchive(format!("{MANIFEST}: {e}")))?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(OpsError::BadArchive(format!(
            "format version {} (this release reads {FORMAT_VERSION})",
            manifest.format_version
        )));
    }
    Ok(manifest)
}

/// Unpacks every entry but the manifest into `dir`, refusing names that would leave it.
/// Answers the paths written.
pub fn unpack(archive: &Path, dir: &Path) -> OpsResult<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(OpsError::io(format!("creating {}", dir.display())))?;
    let file = File::open(archive).map_err(OpsError::io(open_ctx(archive)))?;
    let mut tar = tar::Archive::new(BufReader::new(file));
    let bad = |e: std::io::Error| OpsError::BadArchive(e.to_string());
    let mut written = Vec::new();
    for entry in tar.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let name = entry.path().map_err(bad)?.into_owned();
        if name == Path::new(MANIFEST) {
            continue;
        }
        // `unpack_in` refuses `..` and absolute names, so an archive cannot write elsewhere.
        if !entry.unpack_in(dir).map_err(bad)? {
            return Err(OpsError::BadArchive(format!(
                "entry {} points outside the archive",
                name.display()
            )));
        }
        written.push(dir.join(name));
    }
    Ok(written)
}

/// Checks an unpacked file against its manifest entry.
pub fn check(dir: &Path, entry: &Entry) -> OpsResult<()> {
    let path = dir.join(&entry.path);
    if !path.exists() {
        return Err(OpsError::BadArchive(format!("{} is missing", entry.path)));
    }
    let (sha256, bytes) = hash_file(&path)?;
    if sha256 != entry.sha256 || bytes != entry.bytes {
        return Err(OpsError::BadArchive(format!(
            "{} is damaged: {bytes} bytes with SHA-256 {sha256}, the manifest says {} bytes with {}",
            entry.path, entry.bytes, entry.sha256
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(dump: Entry) -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            product_version: "0.0.0".into(),
            schema_version: Some(1),
            log_head: LogHead {
                seq: 3,
                position: 7,
                hash: "ab".repeat(32),
            },
            event_count: 4,
            created_at: Utc::now(),
            database: dump,
            uploads: Vec::new(),
            includes_secrets: false,
        }
    }

    #[test]
    fn an_archive_round_trips_and_a_damaged_file_is_named() {
        let dir = std::env::temp_dir().join(format!("archive-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let dump = dir.join("dump");
        std::fs::write(&dump, b"not really a dump").unwrap();
        let (sha256, bytes) = hash_file(&dump).unwrap();
        let entry = Entry {
            path: DUMP.into(),
            bytes,
            sha256,
        };
        let tar = dir.join("a.tar");
        let part = Part {
            name: DUMP.into(),
            file: File::open(&dump).unwrap(),
            bytes,
        };
        write(&tar, &manifest(entry.clone()), vec![part]).unwrap();
        // Never over an existing file.
        assert!(write(&tar, &manifest(entry.clone()), Vec::new()).is_err());
        assert_eq!(read_manifest(&tar).unwrap().log_head.seq, 3);
        let out = dir.join("out");
        unpack(&tar, &out).unwrap();
        check(&out, &entry).unwrap();
        std::fs::write(out.join(DUMP), b"tampered").unwrap();
        let err = check(&out, &entry).unwrap_err().to_string();
        assert!(err.contains("database.dump is damaged"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
