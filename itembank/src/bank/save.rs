//! Adding items to a bank directory, all or nothing.

use std::path::{Path, PathBuf};

use super::{Bank, BankInfo};
use crate::item::Item;
use crate::problems::BankProblems;
use crate::text::LocalizedText;

/// Why items could not be added to a bank.
#[derive(Debug, thiserror::Error)]
pub enum AddItemsError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Invalid(#[from] BankProblems),
    #[error("cannot write item `{id}` as TOML: {message}")]
    Serialize { id: String, message: String },
}

impl Bank {
    /// Writes `items` into `dir/items/<folder>/` and validates the whole bank; when
    /// anything is wrong the written files are removed again and the bank is unchanged.
    ///
    /// A directory without `bank.toml` becomes a new bank named after `folder`.
    pub fn add_items(dir: &Path, folder: &str, items: &[Item]) -> Result<Bank, AddItemsError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| AddItemsError::Io { path, source }
        };
        let mut created: Vec<PathBuf> = Vec::new();
        let bank_file = dir.join("bank.toml");
        if !bank_file.exists() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
            let info = BankInfo {
                id: folder.to_string(),
                title: LocalizedText::zh(folder),
                version: "1".into(),
            };
            let text = toml::to_string(&info).map_err(|e| AddItemsError::Serialize {
                id: folder.into(),
                message: e.to_string(),
            })?;
            std::fs::write(&bank_file, text).map_err(io(&bank_file))?;
            created.push(bank_file);
        }
        let target = dir.join("items").join(folder);
        let result = write_all(&target, items, &mut created).and_then(|()| Ok(Bank::load(dir)?));
        if result.is_err() {
            for path in created.iter().rev() {
                // Best effort: the error being returned is what the user needs to see.
                let _ = std::fs::remove_file(path);
            }
        }
        result
    }
}

fn write_all(target: &Path, items: &[Item], created: &mut Vec<PathBuf>) -> Result<(), AddItemsError> {
    std::fs::create_dir_all(target).map_err(|source| AddItemsError::Io {
        path: target.to_path_buf(),
        source,
    })?;
    for item in items {
        let path = target.join(format!("{}.toml", item.id));
        if path.exists() {
            return Err(AddItemsError::Invalid(BankProblems(vec![crate::BankProblem {
                file: path,
                field: "id".into(),
                message: format!("item `{}` already exists in the bank", item.id),
            }])));
        }
        let text = item.to_toml().map_err(|e| AddItemsError::Serialize {
            id: item.id.clone(),
            message: e.to_string(),
        })?;
        std::fs::write(&path, text).map_err(|source| AddItemsError::Io {
            path: path.clone(),
            source,
        })?;
        created.push(path);
    }
    Ok(())
}
