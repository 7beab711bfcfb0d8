//! The key store: crypto-shredding (retention.md, destruction reaching backups).
//!
//! Every document's blobs, patient fields and page text are encrypted under the document's
//! own random 256-bit key (ChaCha20-Poly1305); separator and blank pages under their scan's
//! key; every scan original under a key of its own. The keys live here, in a SQLite file
//! kept apart from the archive folder and out of its backups, each key wrapped (encrypted)
//! under the master key. Destroying a document deletes its key (secure_delete, then a WAL
//! checkpoint), so no copy of its ciphertext, in the archive or in any backup, can be read
//! again. Losing the key store loses the archive: copy it with `chartvault keys backup`.
//!
//! Key ids name their owner: `doc:<doc_id>`, `scan:<sha256>`, `blob:<random>` (one blob).

mod seal;

pub use seal::{open_sealed, seal, KEY_LEN};

use hmac::{Hmac, Mac};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::Sha256;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub type Key = [u8; KEY_LEN];

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key store {path}: {message}")]
    Store { path: String, message: String },
    #[error("key store database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(
        "the master key does not open key store {0}: wrong master key file or \
         CHARTVAULT_MASTER_KEY"
    )]
    WrongMaster(String),
    #[error("key {0} was destroyed (crypto-shredded) or never existed")]
    Shredded(String),
    #[error("encrypted data under key {0} is damaged or was altered")]
    Damaged(String),
}

/// Text columns sealed under a key start with this.
const TEXT_PREFIX: &str = "cv1:";
/// Known plaintext sealed under the master key: tells a wrong master key from a damaged
/// key.
const CHECK: &[u8] = b"chartvault key store";
/// In-memory cache of unwrapped keys, cleared when it grows past this.
const CACHE_MAX: usize = 200_000;

pub struct KeyStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// The master key's file; `None` when it came from `$CHARTVAULT_MASTER_KEY`.
    master_file: Option<PathBuf>,
    master: Key,
    tag_key: Key,
    /// The audit log's MAC key and the first entry it keys (entries before it were written
    /// before the archive had one), sealed together under the master key so neither can
    /// be swapped; set once by [`KeyStore::anchor_audit`].
    audit: std::sync::OnceLock<(Key, i64)>,
    cache: Mutex<HashMap<String, Key>>,
}

/// Where the master key comes from: `$CHARTVAULT_MASTER_KEY` (64 hex digits), else the
/// file `master_file` (`$CHARTVAULT_MASTER_KEY_FILE`, else `master.key` in the key store;
/// created, mode 0600, with a new random key when the key store is new).
fn master_key(master_file: &Path, creating: bool) -> Result<Key, KeyError> {
    let bad = |message: String| KeyError::Store {
        path: master_file.display().to_string(),
        message,
    };
    let parse = |text: &str| -> Result<Key, KeyError> {
        let bytes = hex::decode(text.trim()).map_err(|e| bad(format!("not hex: {e}")))?;
        bytes
            .try_into()
            .map_err(|_| bad("a master key is 64 hex digits (32 bytes)".into()))
    };
    if let Ok(env) = std::env::var("CHARTVAULT_MASTER_KEY") {
        return parse(&env);
    }
    match std::fs::read_to_string(master_file) {
        Ok(text) => parse(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && creating => {
            let key = seal::random_key();
            write_private(master_file, hex::encode(key).as_bytes())
                .map_err(|e| bad(format!("cannot create: {e}")))?;
            Ok(key)
        }
        Err(e) => Err(bad(format!("cannot read the master key: {e}"))),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

impl KeyStore {
    /// Opens (or, with `create`, creates) the key store in `dir`. The master key is read
    /// from `$CHARTVAULT_MASTER_KEY` or `master_file` (default `$CHARTVAULT_MASTER_KEY_FILE`,
    /// else `dir/master.key`).
    pub fn open(dir: &Path, master_file: Option<&Path>, create: bool) -> Result<Self, KeyError> {
        let path = dir.join("keys.db");
        let err = |message: String| KeyError::Store {
            path: path.display().to_string(),
            message,
        };
        let exists = path.exists();
        if !exists && !create {
            return Err(err(
                "missing: without its key store the archive cannot be read (give --keys, \
                 or restore the key store from its copy)"
                    .into(),
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create folder: {e}")))?;
        let master_path = master_file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("CHARTVAULT_MASTER_KEY_FILE").map(PathBuf::from))
            .unwrap_or_else(|| dir.join("master.key"));
        let master = master_key(&master_path, !exists)?;
        let conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS keys (
                 id         TEXT PRIMARY KEY,
                 wrapped    BLOB NOT NULL,
                 created_at TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS destroyed (
                 id           TEXT PRIMARY KEY,
                 destroyed_at TEXT NOT NULL,
                 note         TEXT
             );",
        )?;
        let check: Option<Vec<u8>> = conn
            .query_row("SELECT value FROM meta WHERE name = 'check'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match check {
            Some(c) => {
                if open_sealed(&master, b"check", &c).as_deref() != Some(CHECK) {
                    return Err(KeyError::WrongMaster(path.display().to_string()));
                }
            }
            None => {
                conn.execute(
                    "INSERT INTO meta(name, value) VALUES ('check', ?1)",
                    [seal(&master, b"check", CHECK)],
                )?;
            }
        }
        let tag: Option<Vec<u8>> = conn
            .query_row("SELECT value FROM meta WHERE name = 'tag'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let tag_key = match tag {
            Some(w) => open_sealed(&master, b"tag", &w)
                .and_then(|k| k.try_into().ok())
                .ok_or_else(|| err("the MRN tag key is damaged".into()))?,
            None => {
                let k = seal::random_key();
                conn.execute(
                    "INSERT INTO meta(name, value) VALUES ('tag', ?1)",
                    [seal(&master, b"tag", &k)],
                )?;
                k
            }
        };
        Ok(KeyStore {
            conn: Mutex::new(conn),
            path,
            master_file: std::env::var_os("CHARTVAULT_MASTER_KEY")
                .is_none()
                .then_some(master_path),
            master,
            tag_key,
            audit: std::sync::OnceLock::new(),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Loads the audit key, creating it on first use: entries from `next_seq` on are keyed.
    /// Returns the first keyed sequence number.
    pub fn anchor_audit(&self, next_seq: i64) -> Result<i64, KeyError> {
        if let Some((_, from)) = self.audit.get() {
            return Ok(*from);
        }
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let mut fresh = seal::random_key().to_vec();
        fresh.extend_from_slice(&next_seq.to_le_bytes());
        // Two processes opening at once: the first anchor written wins, both read it back.
        conn.execute(
            "INSERT OR IGNORE INTO meta(name, value) VALUES ('audit', ?1)",
            [seal(&self.master, b"audit", &fresh)],
        )?;
        let sealed: Vec<u8> =
            conn.query_row("SELECT value FROM meta WHERE name = 'audit'", [], |r| {
                r.get(0)
            })?;
        let plain = open_sealed(&self.master, b"audit", &sealed)
            .filter(|p| p.len() == 40)
            .ok_or_else(|| KeyError::Damaged("the audit log key is damaged".into()))?;
        let key: Key = plain[..32].try_into().expect("32 bytes");
        let from = i64::from_le_bytes(plain[32..].try_into().expect("8 bytes"));
        let _ = self.audit.set((key, from));
        Ok(from)
    }

    /// HMAC-SHA256 of `parts` (each length-prefixed) under the audit key, hex; `None` before
    /// [`KeyStore::anchor_audit`].
    pub fn audit_mac(&self, parts: &[&[u8]]) -> Option<String> {
        let (key, _) = self.audit.get()?;
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
        for p in parts {
            mac.update(&(p.len() as u64).to_le_bytes());
            mac.update(p);
        }
        Some(hex::encode(mac.finalize().into_bytes()))
    }

    /// The first audit entry keyed with the audit key (see [`KeyStore::anchor_audit`]).
    pub fn audit_keyed_from(&self) -> Option<i64> {
        self.audit.get().map(|(_, f)| *f)
    }

    pub fn master_file(&self) -> Option<&Path> {
        self.master_file.as_deref()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the keys that do not exist yet (one transaction). Existing keys are kept:
    /// a scan re-ingested after a crash finds the keys its first attempt made.
    pub fn ensure(&self, ids: &[String]) -> Result<(), KeyError> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO keys(id, wrapped, created_at) VALUES (?1, ?2, ?3)",
            )?;
            let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            for id in ids {
                let key = seal::random_key();
                stmt.execute(params![id, seal(&self.master, id.as_bytes(), &key), at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A new key for one blob; returns its id.
    pub fn new_blob_key(&self) -> Result<String, KeyError> {
        let id = format!("blob:{}", hex::encode(seal::random_bytes::<16>()));
        self.ensure(std::slice::from_ref(&id))?;
        Ok(id)
    }

    /// The key with this id.
    pub fn get(&self, id: &str) -> Result<Key, KeyError> {
        if let Some(k) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
            return Ok(*k);
        }
        let wrapped: Option<Vec<u8>> = {
            let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
            let mut stmt = conn.prepare_cached("SELECT wrapped FROM keys WHERE id = ?1")?;
            stmt.query_row([id], |r| r.get(0)).optional()?
        };
        let wrapped = wrapped.ok_or_else(|| KeyError::Shredded(id.to_string()))?;
        let key: Key = open_sealed(&self.master, id.as_bytes(), &wrapped)
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| KeyError::Damaged(format!("{id} (wrapped key)")))?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(id.to_string(), key);
        Ok(key)
    }

    pub fn exists(&self, id: &str) -> Result<bool, KeyError> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        Ok(conn
            .query_row("SELECT 1 FROM keys WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Destroys keys (crypto-shredding): deleted with secure_delete, then the WAL is
    /// checkpointed and truncated so no copy of the key is left in the key store's files.
    /// Idempotent; returns how many existed. The destruction is recorded with `note` (for a
    /// document, its tombstone, which holds no patient data), so that restoring a backup
    /// taken before it can tell what became of the document.
    pub fn destroy(&self, ids: &[String], note: Option<&str>) -> Result<usize, KeyError> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached("DELETE FROM keys WHERE id = ?1")?;
            let mut record = tx.prepare_cached(
                "INSERT INTO destroyed(id, destroyed_at, note) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET note = coalesce(excluded.note, note)",
            )?;
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            for id in ids {
                let deleted = stmt.execute([id])?;
                n += deleted;
                if deleted > 0 && !id.starts_with("blob:") {
                    record.execute(params![id, now, note])?;
                }
            }
        }
        tx.commit()?;
        if n > 0 {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        for id in ids {
            cache.remove(id);
        }
        Ok(n)
    }

    /// The note recorded when key `id` was destroyed (`None`: not destroyed, or no note).
    pub fn destruction_note(&self, id: &str) -> Result<Option<String>, KeyError> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        Ok(conn
            .query_row("SELECT note FROM destroyed WHERE id = ?1", [id], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten())
    }

    /// A keyed hash of an MRN, for look-ups (holds by MRN, a patient's documents) without
    /// keeping the MRN itself in the clear.
    pub fn mrn_tag(&self, mrn: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.tag_key)
            .expect("HMAC takes any key length");
        mac.update(mrn.trim().as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// Seals a text field under key `id` (`None` stays `None`).
    pub fn seal_text(&self, id: &str, text: Option<&str>) -> Result<Option<String>, KeyError> {
        use base64::Engine;
        let Some(text) = text else { return Ok(None) };
        let key = self.get(id)?;
        let sealed = seal(&key, id.as_bytes(), text.as_bytes());
        Ok(Some(format!(
            "{TEXT_PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(sealed)
        )))
    }

    /// Opens a text field sealed under key `id`. Text stored before encryption (no prefix)
    /// is returned as it is.
    pub fn open_text(&self, id: &str, stored: Option<String>) -> Result<Option<String>, KeyError> {
        use base64::Engine;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let Some(b64) = stored.strip_prefix(TEXT_PREFIX) else {
            return Ok(Some(stored));
        };
        let damaged = || KeyError::Damaged(id.to_string());
        let sealed = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(b64)
            .map_err(|_| damaged())?;
        let key = self.get(id)?;
        let plain = open_sealed(&key, id.as_bytes(), &sealed).ok_or_else(damaged)?;
        String::from_utf8(plain).map(Some).map_err(|_| damaged())
    }

    /// A consistent copy of the key store (SQLite online backup) into `dest/keys.db`.
    /// The copy is still wrapped under the master key, which is not copied.
    pub fn backup_to(&self, dest: &Path) -> Result<(), KeyError> {
        let err = |message: String| KeyError::Store {
            path: dest.display().to_string(),
            message,
        };
        std::fs::create_dir_all(dest).map_err(|e| err(e.to_string()))?;
        let out_path = dest.join("keys.db");
        if out_path.exists() {
            return Err(err("already holds a key store".into()));
        }
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Connection::open(&out_path)?;
        let b = rusqlite::backup::Backup::new(&conn, &mut out)?;
        b.run_to_completion(256, std::time::Duration::from_millis(5), None)?;
        Ok(())
    }

    pub fn count(&self) -> Result<u64, KeyError> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        Ok(conn.query_row("SELECT COUNT(*) FROM keys", [], |r| r.get::<_, i64>(0))? as u64)
    }
}

/// Default key store folder for an archive: `<archive>.keys` beside it, so that copying
/// or backing up the archive folder never copies the keys.
pub fn default_dir(archive: &Path) -> PathBuf {
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "archive".into());
    archive
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!("{name}.keys"))
}

pub fn doc_key_id(doc_id: &str) -> String {
    format!("doc:{doc_id}")
}

pub fn scan_key_id(sha256: &str) -> String {
    format!("scan:{sha256}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_seal_open_and_shred() {
        let dir = tempfile::tempdir().unwrap();
        let ks = KeyStore::open(dir.path(), None, true).unwrap();
        let id = doc_key_id("d1");
        ks.ensure(std::slice::from_ref(&id)).unwrap();
        let sealed = ks.seal_text(&id, Some("Jane Doe")).unwrap().unwrap();
        assert!(!sealed.contains("Jane"));
        assert_eq!(
            ks.open_text(&id, Some(sealed.clone())).unwrap().as_deref(),
            Some("Jane Doe")
        );
        // Sealed under one key id, it does not open under another's.
        let other = doc_key_id("d2");
        ks.ensure(std::slice::from_ref(&other)).unwrap();
        assert!(matches!(
            ks.open_text(&other, Some(sealed.clone())),
            Err(KeyError::Damaged(_))
        ));
        assert_eq!(ks.mrn_tag("00412345"), ks.mrn_tag(" 00412345"));
        assert_ne!(ks.mrn_tag("00412345"), ks.mrn_tag("00412346"));
        drop(ks);
        // Reopened: the same keys; then destroyed, for good.
        let ks = KeyStore::open(dir.path(), None, false).unwrap();
        let wrapped: Vec<u8> = Connection::open(dir.path().join("keys.db"))
            .unwrap()
            .query_row("SELECT wrapped FROM keys WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(ks.destroy(std::slice::from_ref(&id), Some("t")).unwrap(), 1);
        assert_eq!(ks.destruction_note(&id).unwrap().as_deref(), Some("t"));
        assert!(matches!(
            ks.open_text(&id, Some(sealed.clone())),
            Err(KeyError::Shredded(_))
        ));
        drop(ks);
        let raw = std::fs::read(dir.path().join("keys.db")).unwrap();
        // The wrapped key is gone from the file (only the record of its destruction stays).
        assert!(!raw.windows(wrapped.len()).any(|w| w == wrapped.as_slice()));
        // A wrong master key is refused clearly.
        let wrong = dir.path().join("wrong.key");
        std::fs::write(&wrong, "00".repeat(32)).unwrap();
        let r = KeyStore::open(dir.path(), Some(&wrong), false);
        assert!(matches!(r, Err(KeyError::WrongMaster(_))));
    }
}
