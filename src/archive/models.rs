//! Document-type model versions stored in the archive (`models/doctype-vN.json.zst`).

use std::io::Write;

use super::{Archive, ArchiveError};
use crate::classify::{Classifier, TextModel};
use crate::config::PipelineConfig;
use crate::store::sha256_hex;

impl Archive {
    /// Stores a trained model as the next version; new ingests use it. Returns the version.
    pub fn store_model(&mut self, model: &TextModel, bytes: &[u8]) -> Result<i64, ArchiveError> {
        let next = self.catalog.latest_model()?.map_or(1, |m| m.version + 1);
        let dir = self.root.join("models");
        let name = format!("doctype-v{next}.json.zst");
        let io = |source| ArchiveError::Create {
            path: dir.join(&name).display().to_string(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let tmp = dir.join(format!(".{name}.tmp"));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, dir.join(&name)).map_err(io)?;
        let version = self.catalog.add_model(
            &format!("models/{name}"),
            &sha256_hex(bytes),
            &model.trained_on,
            model.examples,
        )?;
        Ok(version)
    }

    /// The classifier ingest uses: the newest model stored in the archive, else the one
    /// embedded in the binary. A stored model that fails its hash check is an error (never
    /// silently replaced).
    pub fn classifier(&self, config: &PipelineConfig) -> Result<Classifier, ArchiveError> {
        let invalid = |m: String| ArchiveError::Model(m);
        match self.catalog.latest_model()? {
            Some(row) => {
                let path = self.root.join(&row.file);
                let bytes = std::fs::read(&path)
                    .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
                if sha256_hex(&bytes) != row.sha256 {
                    return Err(invalid(format!(
                        "{} does not match its recorded hash (model version {})",
                        path.display(),
                        row.version
                    )));
                }
                let model = TextModel::from_bytes(&bytes)
                    .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
                Classifier::new(&config.classify, Some(model)).map_err(|e| invalid(e.to_string()))
            }
            None => Classifier::with_embedded_model(&config.classify)
                .map_err(|e| invalid(e.to_string())),
        }
    }
}
