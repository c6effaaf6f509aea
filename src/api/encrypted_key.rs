//! Unlocking password-protected PEM private keys the way OpenSSL, and so
//! `curl --cert ... --pass`, does:
//! - PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2): what `openssl pkcs12 -in
//!   cert.pfx -out cert.pem` writes without `-nodes`, and `openssl pkcs8
//!   -topk8 -v2 ...`;
//! - OpenSSL's legacy form, `RSA PRIVATE KEY` / `EC PRIVATE KEY` with
//!   `Proc-Type: 4,ENCRYPTED` and `DEK-Info: CIPHER,IV` (`openssl rsa -aes256
//!   -traditional`, `openssl ec -aes256`): the key is EVP_BytesToKey(MD5,
//!   salt = first 8 bytes of the IV, one round) and the cipher AES or
//!   (DES-EDE3-)DES in CBC mode.
//!
//! The plain key only lives in memory that is wiped when dropped, and is
//! never written anywhere.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, KeyIvInit};
use md5::{Digest, Md5};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretSlice, SecretString};

/// Why an encrypted key could not be unlocked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is encrypted and no password was configured.
    #[error("the private key is encrypted")]
    NeedsPassword,
    /// The password does not decrypt the key.
    #[error("wrong password")]
    WrongPassword,
    /// The key is encrypted in a way we cannot read; the text says how to
    /// convert it.
    #[error("{0}")]
    Unsupported(String),
}

/// A decrypted private key: plain DER and the PEM label it belongs under
/// (`PRIVATE KEY` for PKCS#8, otherwise the original label).
pub struct PlainKey {
    /// `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`.
    pub label: String,
    /// The key in DER, wiped on drop.
    pub der: SecretSlice<u8>,
}

/// True when this PEM block is a private key that needs a password.
fn is_encrypted(block: &pem::Pem) -> bool {
    block.tag() == "ENCRYPTED PRIVATE KEY" || legacy_dek_info(block).is_some()
}

/// Decrypts `block` when it is an encrypted key; `Ok(None)` when it is not
/// encrypted (use it as it is).
pub fn decrypt(
    block: &pem::Pem,
    password: Option<&SecretString>,
) -> Result<Option<PlainKey>, KeyError> {
    if !is_encrypted(block) {
        return Ok(None);
    }
    let password = password.ok_or(KeyError::NeedsPassword)?;
    let password = password.expose_secret().as_bytes();
    let (label, der) = match legacy_dek_info(block) {
        Some(dek_info) => (
            block.tag().to_owned(),
            decrypt_legacy(block.contents(), dek_info, password)?,
        ),
        None => (
            "PRIVATE KEY".to_owned(),
            decrypt_pkcs8(block.contents(), password)?,
        ),
    };
    // A wrong password nearly always fails the padding check; what slips
    // through is caught here, as the result is no DER structure.
    if !is_der_sequence(&der) {
        return Err(KeyError::WrongPassword);
    }
    Ok(Some(PlainKey {
        label,
        der: SecretSlice::from(der.to_vec()),
    }))
}

fn legacy_dek_info(block: &pem::Pem) -> Option<&str> {
    let encrypted = block
        .headers()
        .get("Proc-Type")
        .is_some_and(|v| v.trim() == "4,ENCRYPTED");
    if !encrypted {
        return None;
    }
    Some(block.headers().get("DEK-Info").unwrap_or(""))
}

fn decrypt_pkcs8(der: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    use pkcs8::pkcs5;
    let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der).map_err(|e| {
        KeyError::Unsupported(format!("the encrypted private key cannot be read ({e})"))
    })?;
    let mut buffer = Zeroizing::new(info.encrypted_data.as_bytes().to_vec());
    let len = match info
        .encryption_algorithm
        .decrypt_in_place(password, &mut buffer)
    {
        Ok(plain) => plain.len(),
        Err(pkcs5::Error::DecryptFailed) => return Err(KeyError::WrongPassword),
        Err(e) => {
            return Err(KeyError::Unsupported(format!(
                "the private key is encrypted in a way tae-rescan cannot read ({e}): re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
            )));
        }
    };
    buffer.truncate(len);
    Ok(buffer)
}

/// The legacy ciphers OpenSSL writes (`openssl rsa -aes128|-aes192|-aes256|-des3|-des`).
#[derive(Clone, Copy)]
enum LegacyCipher {
    Aes128,
    Aes192,
    Aes256,
    DesEde3,
    Des,
}

impl LegacyCipher {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name.trim().to_ascii_uppercase().as_str() {
            "AES-128-CBC" => Self::Aes128,
            "AES-192-CBC" => Self::Aes192,
            "AES-256-CBC" => Self::Aes256,
            "DES-EDE3-CBC" => Self::DesEde3,
            "DES-CBC" => Self::Des,
            _ => return None,
        })
    }

    fn key_len(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes192 | Self::DesEde3 => 24,
            Self::Aes256 => 32,
            Self::Des => 8,
        }
    }

    fn iv_len(self) -> usize {
        match self {
            Self::Aes128 | Self::Aes192 | Self::Aes256 => 16,
            Self::DesEde3 | Self::Des => 8,
        }
    }
}

fn decrypt_legacy(
    ciphertext: &[u8],
    dek_info: &str,
    password: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let (name, iv_hex) = dek_info.split_once(',').unwrap_or((dek_info, ""));
    let cipher = LegacyCipher::from_name(name).ok_or_else(|| {
        KeyError::Unsupported(format!(
            "the private key is encrypted with '{}', which tae-rescan cannot read: re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
            crate::text::sanitize_capped(name, 40)
        ))
    })?;
    let iv = decode_hex(iv_hex.trim())
        .filter(|iv| iv.len() == cipher.iv_len())
        .ok_or_else(|| KeyError::Unsupported("the key's DEK-Info header has no valid IV".into()))?;
    let key = bytes_to_key(password, &iv[..8], cipher.key_len());
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let len = match cipher {
        LegacyCipher::Aes128 => cbc_decrypt::<aes::Aes128>(&key, &iv, &mut buffer),
        LegacyCipher::Aes192 => cbc_decrypt::<aes::Aes192>(&key, &iv, &mut buffer),
        LegacyCipher::Aes256 => cbc_decrypt::<aes::Aes256>(&key, &iv, &mut buffer),
        LegacyCipher::DesEde3 => cbc_decrypt::<des::TdesEde3>(&key, &iv, &mut buffer),
        LegacyCipher::Des => cbc_decrypt::<des::Des>(&key, &iv, &mut buffer),
    }
    .ok_or(KeyError::WrongPassword)?;
    buffer.truncate(len);
    Ok(buffer)
}

/// OpenSSL's EVP_BytesToKey with MD5 and one round, as PEM_do_header uses
/// it: D_i = MD5(D_{i-1} || password || salt), concatenated.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut previous: Option<Zeroizing<[u8; 16]>> = None;
    while key.len() < len {
        let mut md5 = Md5::new();
        if let Some(p) = &previous {
            md5.update(p.as_slice());
        }
        md5.update(password);
        md5.update(salt);
        let mut digest = Zeroizing::new([0u8; 16]);
        digest.copy_from_slice(&md5.finalize());
        key.extend_from_slice(digest.as_slice());
        previous = Some(digest);
    }
    key.truncate(len);
    key
}

/// Decrypts in place and removes the PKCS#7 padding; the plain length, or
/// `None` when the padding is wrong (nearly always a wrong password).
fn cbc_decrypt<C>(key: &[u8], iv: &[u8], buffer: &mut [u8]) -> Option<usize>
where
    C: aes::cipher::BlockCipherDecrypt,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    decryptor
        .decrypt_padded::<Pkcs7>(buffer)
        .ok()
        .map(|plain| plain.len())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// True when `der` is exactly one DER SEQUENCE (every private key format is).
fn is_der_sequence(der: &[u8]) -> bool {
    let (Some(&0x30), Some(&first)) = (der.first(), der.get(1)) else {
        return false;
    };
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || der.len() < 2 + n {
            return false;
        }
        let len = der[2..2 + n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, 2 + n)
    };
    der.len() == header + len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_key_matches_openssl() {
        // `openssl enc -aes-256-cbc -P -md md5 -pass pass:secret -S 0102030405060708`
        let key = bytes_to_key(b"secret", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        assert_eq!(
            key.iter().map(|b| format!("{b:02X}")).collect::<String>(),
            "C9E5A1BD216DBE1317E230CEF48F38EE7F0E17AD64022144BCCEC4A1AA2879AB"
        );
    }

    #[test]
    fn der_sequence_check_needs_the_exact_length() {
        assert!(is_der_sequence(&[0x30, 0x02, 0x05, 0x00]));
        assert!(!is_der_sequence(&[0x30, 0x03, 0x05, 0x00]));
        assert!(!is_der_sequence(&[0x31, 0x02, 0x05, 0x00]));
        let mut long = vec![0x30, 0x82, 0x01, 0x00];
        long.extend(std::iter::repeat_n(0, 256));
        assert!(is_der_sequence(&long));
        assert!(!is_der_sequence(&[0x30, 0x80]));
        assert!(!is_der_sequence(&[]));
    }

    #[test]
    fn unknown_or_broken_headers_say_what_to_do() {
        let mut block = pem::Pem::new("RSA PRIVATE KEY", vec![0u8; 32]);
        block.headers_mut().add("Proc-Type", "4,ENCRYPTED").unwrap();
        block
            .headers_mut()
            .add(
                "DEK-Info",
                "CAMELLIA-256-CBC,00112233445566778899AABBCCDDEEFF",
            )
            .unwrap();
        let pw = SecretString::from("x");
        let err = decrypt(&block, Some(&pw)).err().unwrap();
        assert!(
            matches!(&err, KeyError::Unsupported(m) if m.contains("CAMELLIA-256-CBC") && m.contains("openssl pkcs8")),
            "{err}"
        );
        assert_eq!(decrypt(&block, None).err(), Some(KeyError::NeedsPassword));
        let plain = pem::Pem::new("PRIVATE KEY", vec![0x30, 0x00]);
        assert!(decrypt(&plain, None).unwrap().is_none());
    }
}
