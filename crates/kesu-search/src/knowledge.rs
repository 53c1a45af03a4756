//! Knowledge search: the articles in an index held in memory, cut into words the same way as
//! cases (jieba), rebuilt from the store whenever its articles changed. Articles are few (a
//! shop's catalogue), so every server builds its own in well under a second and no index
//! has to be kept on disk or in step across servers.

use std::sync::Arc;

use kesu_store::{Article, Store};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, TantivyDocument, Term};
use tokio::sync::Mutex;

use crate::index::{register_tokenizers, RAW_LOWER, ZH};
use crate::Result;

/// The most articles one search returns.
pub const MAX_HITS: usize = 50;

struct Built {
    index: Index,
    reader: IndexReader,
    title: Field,
    body: Field,
    skus: Field,
    articles: Vec<Article>,
}

/// How the store's articles stood when an index was built (`Store::knowledge_stamp`).
type Stamp = (i64, i64);

/// Searches the knowledge base; cheap to share.
#[derive(Default)]
pub struct KnowledgeSearch {
    built: Mutex<Option<(Stamp, Arc<Built>)>>,
}

impl KnowledgeSearch {
    pub fn new() -> KnowledgeSearch {
        KnowledgeSearch::default()
    }

    /// The articles matching every word of `q` (in the title, the text or as a SKU), best
    /// first, at most [`MAX_HITS`].
    pub async fn find(&self, store: &Store, q: &str) -> Result<Vec<Article>> {
        let built = self.current(store).await?;
        let query = built.query(q);
        let searcher = built.reader.searcher();
        let hits = searcher.search(&query, &TopDocs::with_limit(MAX_HITS).order_by_score())?;
        let mut found = Vec::with_capacity(hits.len());
        for (_, addr) in hits {
            let ids = searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .i64("id")?;
            if let Some(id) = ids.first(addr.doc_id) {
                if let Some(a) = built.articles.iter().find(|a| a.id == id) {
                    found.push(a.clone());
                }
            }
        }
        Ok(found)
    }

    async fn current(&self, store: &Store) -> Result<Arc<Built>> {
        let stamp = store.knowledge_stamp().await?;
        let mut slot = self.built.lock().await;
        if let Some((at, built)) = slot.as_ref() {
            if *at == stamp {
                return Ok(built.clone());
            }
        }
        let articles = store.articles().await?;
        let built = Arc::new(Built::new(articles)?);
        *slot = Some((stamp, built.clone()));
        Ok(built)
    }
}

impl Built {
    fn new(articles: Vec<Article>) -> Result<Built> {
        let mut b = Schema::builder();
        let words = |tokenizer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
        };
        let id = b.add_i64_field("id", NumericOptions::default().set_fast());
        let title = b.add_text_field("title", words(ZH));
        let body = b.add_text_field("body", words(ZH));
        let skus = b.add_text_field("skus", words(RAW_LOWER));
        let index = Index::create_in_ram(b.build());
        register_tokenizers(&index);
        {
            let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
            for a in &articles {
                let mut doc = TantivyDocument::default();
                doc.add_i64(id, a.id);
                doc.add_text(title, &a.title);
                doc.add_text(body, &a.body);
                for s in &a.skus {
                    doc.add_text(skus, s);
                }
                writer.add_document(doc)?;
            }
            writer.commit()?;
        }
        let reader = index.reader()?;
        Ok(Built {
            index,
            reader,
            title,
            body,
            skus,
            articles,
        })
    }

    /// Every whitespace-separated part must match: all its words in the title or all in the
    /// text, or the part is one of the SKUs.
    fn query(&self, q: &str) -> Box<dyn Query> {
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        for part in q.split_whitespace() {
            let words = self.words(part);
            let mut any: Vec<Box<dyn Query>> = vec![term(self.skus, &part.to_lowercase())];
            if !words.is_empty() {
                for field in [self.title, self.body] {
                    any.push(Box::new(BooleanQuery::intersection(
                        words.iter().map(|w| term(field, w)).collect(),
                    )));
                }
            }
            must.push(Box::new(BooleanQuery::union(any)));
        }
        if must.is_empty() {
            // Nothing asked: nothing found (the list pages show everything instead).
            return term(self.skus, "\u{1}");
        }
        Box::new(BooleanQuery::intersection(must))
    }

    fn words(&self, text: &str) -> Vec<String> {
        crate::index::words(&self.index, text)
    }
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::WithFreqs,
    ))
}
