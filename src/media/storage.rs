//! Where media files live: a directory of this machine (`file:./media`, the default, served
//! by Sahifa itself) or an S3 bucket (`s3://bucket/prefix`, for several instances), both
//! through the `object_store` crate.
//!
//! Files are named `{blob_key}/{name}`: the folder is a keyed hash of the uploaded bytes (see
//! [`blob_key`]), so equal uploads share their files, a file's content never changes under
//! its name (it can be cached forever), and nobody can find a photo's files without being
//! given their URL — not even with the photo in hand.

use std::sync::Arc;

use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};

/// A configured media store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// A directory, created when missing.
    File(std::path::PathBuf),
    /// A bucket and a prefix within it; credentials, region and endpoint come from the
    /// `AWS_*` variables (`AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP` for a local server).
    S3 { bucket: String, prefix: String },
}

impl StoreUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if let Some(dir) = raw.strip_prefix("file:") {
            let dir = dir.strip_prefix("//").unwrap_or(dir);
            if dir.is_empty() {
                return Err("`file:` needs a directory, as in `file:./media`".into());
            }
            return Ok(Self::File(dir.into()));
        }
        if let Some(rest) = raw.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err("`s3://` needs a bucket, as in `s3://photos/newsroom`".into());
            }
            return Ok(Self::S3 {
                bucket: bucket.into(),
                prefix: prefix.trim_matches('/').into(),
            });
        }
        Err("expected `file:DIRECTORY` or `s3://BUCKET/PREFIX`".into())
    }
}

/// How to reach S3: the standard `AWS_*` variables, read with the rest of the settings.
/// Without an access key, credentials come from the environment the way the AWS SDKs find
/// them (instance profile, web identity).
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    /// `AWS_ENDPOINT_URL`: an S3-compatible server (MinIO, Garage, moto).
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<crate::config::Secret>,
    /// `AWS_ALLOW_HTTP=true`: a local endpoint without TLS.
    pub allow_http: bool,
}

/// The media store.
#[derive(Clone)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
    prefix: Option<Path>,
    description: String,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

/// A part of a file, for a Range request.
pub struct Part {
    pub bytes: actix_web::web::Bytes,
    pub range: std::ops::Range<u64>,
    pub total: u64,
}

impl MediaStore {
    /// Opens the store and checks that it can be reached: a missing directory is created, a
    /// missing bucket or wrong credentials are reported here, at start, not at the first
    /// upload.
    pub async fn open(url: &StoreUrl, s3: &S3Options) -> Result<Self, String> {
        let store = match url {
            StoreUrl::File(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let local = object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| format!("cannot use {}: {e}", dir.display()))?;
                Self {
                    inner: Arc::new(local),
                    prefix: None,
                    description: format!("file:{}", dir.display()),
                }
            }
            StoreUrl::S3 { bucket, prefix } => {
                let mut builder = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let Some(region) = &s3.region {
                    builder = builder.with_region(region);
                }
                if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
                    builder = builder
                        .with_access_key_id(id)
                        .with_secret_access_key(secret.expose());
                }
                let s3 = builder
                    .build()
                    .map_err(|e| format!("cannot configure bucket {bucket}: {e}"))?;
                Self {
                    inner: Arc::new(s3),
                    prefix: (!prefix.is_empty()).then(|| Path::from(prefix.as_str())),
                    description: format!("s3://{bucket}/{prefix}"),
                }
            }
        };
        // A listing (not a HEAD, whose answer has no body to tell a missing bucket from a
        // missing file) proves the bucket exists and the credentials may read it.
        store
            .inner
            .list_with_delimiter(store.prefix.as_ref())
            .await
            .map_err(|e| format!("cannot read {}: {}", store.description, short(&e)))?;
        Ok(store)
    }

    fn path(&self, key: &str, name: &str) -> Path {
        let relative = format!("{key}/{name}");
        match &self.prefix {
            Some(prefix) => Path::from(format!("{prefix}/{relative}")),
            None => Path::from(relative),
        }
    }

    pub async fn put(&self, key: &str, name: &str, bytes: Vec<u8>) -> Result<(), String> {
        self.inner
            .put(&self.path(key, name), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| format!("cannot store {key}/{name}: {}", short(&e)))
    }

    pub async fn get(
        &self,
        key: &str,
        name: &str,
    ) -> Result<Option<actix_web::web::Bytes>, String> {
        match self.inner.get(&self.path(key, name)).await {
            Ok(found) => found.bytes().await.map(Some).map_err(|e| short(&e)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(short(&e)),
        }
    }

    /// A file or a part of it; `None` when there is no such file. A range past the end is
    /// answered with the whole file's size and an empty range, for a 416.
    pub async fn read(
        &self,
        key: &str,
        name: &str,
        range: Option<GetRange>,
    ) -> Result<Option<Part>, String> {
        let path = self.path(key, name);
        let options = GetOptions {
            range: range.clone(),
            ..Default::default()
        };
        match self.inner.get_opts(&path, options).await {
            Ok(found) => {
                let (total, served) = (found.meta.size, found.range.clone());
                let bytes = found.bytes().await.map_err(|e| short(&e))?;
                Ok(Some(Part {
                    bytes,
                    range: served,
                    total,
                }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) if range.is_some() => {
                // The range could not be served (past the end): say how large the file is.
                match self.inner.head(&path).await {
                    Ok(meta) => Ok(Some(Part {
                        bytes: actix_web::web::Bytes::new(),
                        range: 0..0,
                        total: meta.size,
                    })),
                    Err(_) => Err(short(&e)),
                }
            }
            Err(e) => Err(short(&e)),
        }
    }

    /// The files of a folder, by name, with their sizes.
    pub async fn list_folder(&self, key: &str) -> Result<Vec<(String, u64)>, String> {
        use futures_util::TryStreamExt;
        let folder = self.folder(key);
        let listed: Vec<_> = self
            .inner
            .list(Some(&folder))
            .try_collect()
            .await
            .map_err(|e| short(&e))?;
        let mut files: Vec<(String, u64)> = listed
            .into_iter()
            .filter_map(|meta| {
                let name = meta.location.filename()?.to_owned();
                Some((name, meta.size))
            })
            .collect();
        files.sort();
        Ok(files)
    }

    fn folder(&self, key: &str) -> Path {
        let folder = self.path(key, "");
        Path::from(folder.as_ref().trim_end_matches('/'))
    }

    /// Deletes every file of a folder.
    pub async fn delete_folder(&self, key: &str) -> Result<usize, String> {
        use futures_util::StreamExt;
        let listed: Vec<_> = self.inner.list(Some(&self.folder(key))).collect().await;
        let mut deleted = 0;
        for meta in listed {
            let meta = meta.map_err(|e| short(&e))?;
            match self.inner.delete(&meta.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => deleted += 1,
                Err(e) => return Err(short(&e)),
            }
        }
        Ok(deleted)
    }
}

/// The folder of an upload's files: HMAC-like keyed SHA-256 of its bytes, 40 hex digits.
pub fn blob_key(secret: &[u8], upload: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update((secret.len() as u64).to_le_bytes());
    hash.update(secret);
    hash.update(upload);
    let digest = hash.finalize();
    digest[..20].iter().map(|b| format!("{b:02x}")).collect()
}

/// An object-store error on one line, without the request's URL and headers (which may
/// carry a signature).
fn short(error: &object_store::Error) -> String {
    let text = error.to_string();
    let line = text.lines().next().unwrap_or_default();
    line.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_parse() {
        assert_eq!(
            StoreUrl::parse("file:./media").unwrap(),
            StoreUrl::File("./media".into())
        );
        assert_eq!(
            StoreUrl::parse("s3://photos/news/2026/").unwrap(),
            StoreUrl::S3 {
                bucket: "photos".into(),
                prefix: "news/2026".into()
            }
        );
        assert!(StoreUrl::parse("ftp://x").is_err());
        assert!(StoreUrl::parse("s3://").is_err());
    }

    #[test]
    fn blob_keys_depend_on_the_secret_and_the_bytes() {
        let a = blob_key(b"one", b"photo");
        assert_eq!(a, blob_key(b"one", b"photo"));
        assert_ne!(a, blob_key(b"two", b"photo"));
        assert_ne!(a, blob_key(b"one", b"photo2"));
        assert_eq!(a.len(), 40);
    }
}
