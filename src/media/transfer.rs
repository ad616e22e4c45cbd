//! Moving media files between stores (`sahifa copy --media-to`): a directory to a bucket when
//! a newsroom grows to several instances, or a bucket back to a directory.
//!
//! The database says which folders exist (one per distinct upload); each folder's files are
//! copied under the same names, so every rendition URL stays true once the server points at
//! the new store. A file already in the target with the same size is skipped (names are
//! content-addressed, so an equal name and size is the same file): an interrupted copy is
//! finished by running it again. Each folder is listed again after it is copied, and the copy
//! fails if a file is missing or has another size.

use futures_util::StreamExt;

use crate::db::Store;
use crate::media::model;
use crate::media::storage::MediaStore;

/// Folders read from the database per query.
const PAGE: i64 = 500;
/// Folders copied at once: a bucket answers each request in tens of milliseconds, so one
/// at a time would take hours for an archive of photos.
const CONCURRENT: usize = 16;

#[derive(Debug, Default)]
pub struct TransferReport {
    /// Folders (distinct uploads) visited.
    pub folders: usize,
    /// Files written to the target.
    pub copied: usize,
    /// Files already there with the same size.
    pub skipped: usize,
    pub bytes: u64,
    /// Folders the database names that hold no file in the source (their items show no
    /// image wherever they are served).
    pub missing: Vec<String>,
}

/// Copies the files of every media item of `database` from `from` to `to`.
pub async fn copy_files(
    database: &Store,
    from: &MediaStore,
    to: &MediaStore,
) -> Result<TransferReport, String> {
    let mut report = TransferReport::default();
    let mut after = String::new();
    loop {
        let start = after.clone();
        let keys = database
            .query(move |conn| model::blob_keys_after(conn, &start, PAGE))
            .await
            .map_err(|e| format!("reading the media rows: {e}"))?;
        let Some(last) = keys.last() else { break };
        after = last.clone();
        let mut copies = futures_util::stream::iter(keys)
            .map(|key| async move {
                let copied = copy_folder(&key, from, to).await;
                (key, copied)
            })
            .buffer_unordered(CONCURRENT);
        while let Some((key, copied)) = copies.next().await {
            let folder = copied?;
            report.folders += 1;
            if folder.listed == 0 {
                report.missing.push(key);
            }
            report.copied += folder.copied;
            report.skipped += folder.skipped;
            report.bytes += folder.bytes;
        }
    }
    report.missing.sort();
    Ok(report)
}

/// What one folder's copy did.
#[derive(Debug, Default)]
struct Folder {
    listed: usize,
    copied: usize,
    skipped: usize,
    bytes: u64,
}

async fn copy_folder(key: &str, from: &MediaStore, to: &MediaStore) -> Result<Folder, String> {
    let mut report = Folder::default();
    let wanted = from
        .list_folder(key)
        .await
        .map_err(|e| format!("listing {key} in {from:?}: {e}"))?;
    report.listed = wanted.len();
    if wanted.is_empty() {
        return Ok(report);
    }
    let present = to
        .list_folder(key)
        .await
        .map_err(|e| format!("listing {key} in {to:?}: {e}"))?;
    for (name, size) in &wanted {
        if present.iter().any(|(n, s)| n == name && s == size) {
            report.skipped += 1;
            continue;
        }
        let bytes = from
            .get(key, name)
            .await
            .map_err(|e| format!("reading {key}/{name} from {from:?}: {e}"))?
            .ok_or_else(|| format!("{key}/{name} vanished from {from:?} during the copy"))?;
        to.put(key, name, bytes.to_vec())
            .await
            .map_err(|e| format!("writing to {to:?}: {e}"))?;
        report.copied += 1;
        report.bytes += *size;
    }
    let landed = to
        .list_folder(key)
        .await
        .map_err(|e| format!("listing {key} in {to:?}: {e}"))?;
    for (name, size) in &wanted {
        if !landed.iter().any(|(n, s)| n == name && s == size) {
            return Err(format!(
                "{key}/{name} did not arrive in {to:?} with its {size} bytes"
            ));
        }
    }
    Ok(report)
}
