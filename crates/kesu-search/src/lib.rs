//! Case search: a tantivy index beside the database, words cut the Chinese way (jieba),
//! filtered like the queue, kept current by following the store's changes.

mod doc;
mod follower;
mod index;
mod knowledge;

pub use doc::CaseDoc;
pub use follower::{Search, SyncReport};
pub use index::{SearchIndex, SearchQuery};
pub use knowledge::KnowledgeSearch;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index folder: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("cannot use the search index folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("reading cases to index: {0}")]
    Store(#[from] kesu_store::StoreError),
    #[error("the search index is damaged: {0}")]
    Corrupt(&'static str),
    #[error("the search index writer failed earlier; restart kesu")]
    Poisoned,
    #[error("the indexing task stopped")]
    Stopped,
}

pub type Result<T> = std::result::Result<T, SearchError>;
