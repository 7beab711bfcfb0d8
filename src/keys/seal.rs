//! Authenticated encryption of one value: ChaCha20-Poly1305, a random 96-bit nonce
//! stored before the ciphertext, and associated data binding the value to its key id (a
//! value sealed for one document does not open as another's).

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};

pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

pub fn random_key() -> [u8; KEY_LEN] {
    random_bytes::<KEY_LEN>()
}

/// `nonce || ciphertext+tag`.
pub fn seal(key: &[u8; KEY_LEN], ad: &[u8], plain: &[u8]) -> Vec<u8> {
    let cipher = ChaCha20Poly1305::new(key.into());
    let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
    let ct = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plain,
                aad: ad,
            },
        )
        .expect("ChaCha20-Poly1305 encryption does not fail for in-memory buffers");
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

/// The plaintext, or `None` if the key is wrong or the data was altered.
pub fn open_sealed(key: &[u8; KEY_LEN], ad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN + 16 {
        return None;
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    ChaCha20Poly1305::new(key.into())
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: ad })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tampering_and_wrong_keys_are_refused() {
        let k = random_key();
        let s = seal(&k, b"doc:a", b"text");
        assert_eq!(open_sealed(&k, b"doc:a", &s).as_deref(), Some(&b"text"[..]));
        assert!(open_sealed(&k, b"doc:b", &s).is_none());
        assert!(open_sealed(&random_key(), b"doc:a", &s).is_none());
        let mut t = s.clone();
        *t.last_mut().unwrap() ^= 1;
        assert!(open_sealed(&k, b"doc:a", &t).is_none());
        assert_ne!(seal(&k, b"doc:a", b"text"), s, "fresh nonce every time");
    }
}
