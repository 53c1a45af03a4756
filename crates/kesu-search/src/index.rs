//! The index on disk: its schema, writing cases into it and finding them.

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, STRING,
};
use tantivy::tokenizer::{LowerCaser, RawTokenizer, TextAnalyzer, TokenStream};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use crate::doc::CaseDoc;
use crate::{Result, SearchError};

/// Bumped whenever the schema or the way text is cut into words changes: an index written
/// differently is thrown away and rebuilt.
const SCHEMA_VERSION: &str = "kesu-search-1";
const VERSION_FILE: &str = "kesu-schema-version";
pub(crate) const ZH: &str = "kesu_zh";
pub(crate) const RAW_LOWER: &str = "kesu_raw_lower";
/// Stands for "none" in the assignee and department fields, so "unassigned" is a term.
const NONE: &str = "\u{1}";
/// Shortest number that is also matched by prefix (shorter ones must match whole).
const MIN_PREFIX: usize = 4;

struct Fields {
    id: Field,
    version: Field,
    numbers: Field,
    contact_numbers: Field,
    name: Field,
    text: Field,
    status: Field,
    open: Field,
    category: Field,
    channel: Field,
    department: Field,
    assignee: Field,
    resolve_by: Field,
    queue_key: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::Basic),
        )
    };
    let sortable = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        id: b.add_i64_field("id", sortable.clone()),
        version: b.add_i64_field("version", NumericOptions::default().set_fast()),
        numbers: b.add_text_field("numbers", words(RAW_LOWER)),
        contact_numbers: b.add_text_field("contact_numbers", words(RAW_LOWER)),
        name: b.add_text_field("name", words(ZH)),
        text: b.add_text_field("text", words(ZH)),
        status: b.add_text_field("status", STRING),
        open: b.add_u64_field("open", sortable.clone()),
        category: b.add_text_field("category", STRING),
        channel: b.add_text_field("channel", STRING),
        department: b.add_text_field("department", STRING),
        assignee: b.add_text_field("assignee", STRING),
        resolve_by: b.add_i64_field("resolve_by", sortable.clone()),
        queue_key: b.add_i64_field("queue_key", NumericOptions::default().set_fast()),
    };
    (b.build(), fields)
}

pub(crate) fn register_tokenizers(index: &Index) {
    index.tokenizers().register(
        ZH,
        TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(LowerCaser)
            .build(),
    );
    index.tokenizers().register(
        RAW_LOWER,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// What to look for, and the queue's filters; all combined with AND.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Words and numbers; every whitespace-separated part must match somewhere.
    pub q: String,
    /// Whether names, phones and e-mails may match (roles that may see personal data).
    pub personal: bool,
    pub status: Option<String>,
    /// Only open cases (`true`) or only closed ones (`false`).
    pub open: Option<bool>,
    pub category: Option<String>,
    pub channel: Option<String>,
    pub department: Option<String>,
    pub assignee: Option<String>,
    pub unassigned: bool,
    /// Open and past the resolution deadline as of `now_ms` (true), or not (false).
    pub overdue: Option<bool>,
    pub now_ms: i64,
    /// Soonest deadline first instead of newest first.
    pub by_deadline: bool,
}

/// The case search index in a folder.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Whether the index was (re)created empty when opened, so it must be filled.
    created: bool,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (empty) if it is missing or was written by
    /// another version of kesu. `threads` index in parallel during rebuilds.
    pub fn open(dir: &Path, threads: usize) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Folder(dir.display().to_string(), e))?;
        let version_file = dir.join(VERSION_FILE);
        let current = std::fs::read_to_string(&version_file).ok();
        let (schema, fields) = schema();
        let reusable =
            current.as_deref() == Some(SCHEMA_VERSION) && dir.join("meta.json").is_file();
        let index = if reusable {
            Index::open_in_dir(dir)?
        } else {
            // Another version's index (or none): start afresh.
            for entry in std::fs::read_dir(dir)
                .map_err(|e| SearchError::Folder(dir.display().to_string(), e))?
            {
                let path = entry
                    .map_err(|e| SearchError::Folder(dir.display().to_string(), e))?
                    .path();
                if path.is_file() {
                    std::fs::remove_file(&path)
                        .map_err(|e| SearchError::Folder(path.display().to_string(), e))?;
                }
            }
            let index = Index::create_in_dir(dir, schema)?;
            std::fs::write(&version_file, SCHEMA_VERSION)
                .map_err(|e| SearchError::Folder(version_file.display().to_string(), e))?;
            index
        };
        register_tokenizers(&index);
        let threads = threads.clamp(1, 8);
        let writer = index.writer_with_num_threads(threads, threads * 40_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            created: !reusable,
        })
    }

    /// Whether the index started empty because none (or an outdated one) was there.
    pub fn was_created(&self) -> bool {
        self.created
    }

    /// Replaces these cases' entries and removes those of `removed`; visible to searches
    /// when this returns.
    pub fn write(&self, docs: &[CaseDoc], removed: &[i64]) -> Result<()> {
        self.replace_uncommitted(docs, removed)?;
        self.commit()
    }

    /// [`SearchIndex::write`], keeping `position` (where in the store's change log this
    /// index is) in the same commit.
    pub fn write_at(&self, docs: &[CaseDoc], removed: &[i64], position: &str) -> Result<()> {
        self.replace_uncommitted(docs, removed)?;
        self.commit_at(Some(position))
    }

    /// The position kept with the last commit, if any.
    pub fn position(&self) -> Result<Option<String>> {
        Ok(self.index.load_metas()?.payload)
    }

    /// [`SearchIndex::write`] without the commit, for many batches committed together.
    pub fn replace_uncommitted(&self, docs: &[CaseDoc], removed: &[i64]) -> Result<()> {
        let writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        for id in removed {
            writer.delete_term(Term::from_field_i64(self.fields.id, *id));
        }
        for doc in docs {
            writer.delete_term(Term::from_field_i64(self.fields.id, doc.id));
            writer.add_document(self.document(doc))?;
        }
        Ok(())
    }

    /// Adds entries without committing: for rebuilds, which commit once at the end.
    pub fn add_uncommitted(&self, docs: &[CaseDoc]) -> Result<()> {
        let writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        for doc in docs {
            writer.add_document(self.document(doc))?;
        }
        Ok(())
    }

    /// Removes every entry (uncommitted until [`SearchIndex::commit`]).
    pub fn clear_uncommitted(&self) -> Result<()> {
        let writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        writer.delete_all_documents()?;
        Ok(())
    }

    /// Brings the writer back to the last commit after a failed write (tantivy's writer
    /// is unusable after an I/O error until rolled back); what was not committed is lost
    /// and must be written again.
    pub fn recover(&self) -> Result<()> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        writer.rollback()?;
        Ok(())
    }

    pub fn commit(&self) -> Result<()> {
        self.commit_at(None)
    }

    /// Commits, keeping `position` with the commit when given.
    pub fn commit_at(&self, position: Option<&str>) -> Result<()> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let mut prepared = writer.prepare_commit()?;
        if let Some(p) = position {
            prepared.set_payload(p);
        }
        prepared.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, d: &CaseDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, d.id);
        doc.add_i64(f.version, d.version);
        for n in &d.numbers {
            doc.add_text(f.numbers, n);
        }
        for n in &d.contact_numbers {
            doc.add_text(f.contact_numbers, n);
        }
        doc.add_text(f.name, &d.name);
        doc.add_text(f.text, &d.text);
        doc.add_text(f.status, &d.status);
        doc.add_u64(f.open, u64::from(d.open));
        doc.add_text(f.category, &d.category);
        doc.add_text(f.channel, &d.channel);
        doc.add_text(f.department, d.department.as_deref().unwrap_or(NONE));
        doc.add_text(f.assignee, d.assignee.as_deref().unwrap_or(NONE));
        doc.add_i64(f.resolve_by, d.resolve_by.unwrap_or(i64::MAX));
        doc.add_i64(f.queue_key, d.queue_key);
        doc
    }

    /// How many cases the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every indexed case's id and version.
    pub fn versions(&self) -> Result<Vec<(i64, i64)>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(searcher.num_docs() as usize);
        for segment in searcher.segment_readers() {
            let ids = segment.fast_fields().i64("id")?;
            let versions = segment.fast_fields().i64("version")?;
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                if let (Some(id), Some(v)) = (ids.first(doc), versions.first(doc)) {
                    out.push((id, v));
                }
            }
        }
        Ok(out)
    }

    /// One page of the matching cases' ids (newest first, or soonest deadline first) and
    /// how many match in all.
    pub fn search(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<i64>, usize)> {
        let q = self.build(query);
        let searcher = self.reader.searcher();
        let limit = limit.max(1);
        if query.by_deadline {
            let top = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_fast_field::<i64>("queue_key", Order::Asc);
            let (total, hits) = searcher.search(&q, &(Count, top))?;
            let ids = hits
                .into_iter()
                .map(|(_, addr)| self.id_of(&searcher, addr))
                .collect::<Result<Vec<_>>>()?;
            Ok((ids, total))
        } else {
            let top = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_fast_field::<i64>("id", Order::Desc);
            let (total, hits) = searcher.search(&q, &(Count, top))?;
            Ok((hits.into_iter().filter_map(|(id, _)| id).collect(), total))
        }
    }

    fn id_of(&self, searcher: &tantivy::Searcher, addr: DocAddress) -> Result<i64> {
        let ids = searcher
            .segment_reader(addr.segment_ord)
            .fast_fields()
            .i64("id")?;
        ids.first(addr.doc_id)
            .ok_or(SearchError::Corrupt("an entry without an id"))
    }

    fn build(&self, query: &SearchQuery) -> Box<dyn Query> {
        let f = &self.fields;
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        for part in query.q.split_whitespace() {
            must.push(self.part(part, query.personal));
        }
        let mut exact = |field: Field, value: Option<&str>| {
            if let Some(v) = value {
                must.push(term(field, v));
            }
        };
        exact(f.status, query.status.as_deref());
        exact(f.category, query.category.as_deref());
        exact(f.channel, query.channel.as_deref());
        exact(f.department, query.department.as_deref());
        exact(f.assignee, query.assignee.as_deref());
        if query.unassigned {
            must.push(term(f.assignee, NONE));
        }
        if let Some(open) = query.open {
            must.push(Box::new(TermQuery::new(
                Term::from_field_u64(f.open, u64::from(open)),
                IndexRecordOption::Basic,
            )));
        }
        if let Some(overdue) = query.overdue {
            let late: Box<dyn Query> = Box::new(BooleanQuery::intersection(vec![
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.open, 1),
                    IndexRecordOption::Basic,
                )),
                Box::new(RangeQuery::new(
                    Bound::Unbounded,
                    Bound::Excluded(Term::from_field_i64(f.resolve_by, query.now_ms)),
                )),
            ]));
            if overdue {
                must.push(late);
            } else {
                must.push(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery)),
                    (Occur::MustNot, late),
                ])));
            }
        }
        if must.is_empty() {
            return Box::new(AllQuery);
        }
        Box::new(BooleanQuery::intersection(must))
    }

    /// One whitespace-separated part of the query: its words all in the text (or the
    /// name), or a number it is, or begins.
    fn part(&self, part: &str, personal: bool) -> Box<dyn Query> {
        let f = &self.fields;
        let words = self.words(part);
        let mut any: Vec<Box<dyn Query>> = Vec::new();
        if !words.is_empty() {
            let all_in = |field: Field| -> Box<dyn Query> {
                Box::new(BooleanQuery::intersection(
                    words.iter().map(|w| term(field, w)).collect(),
                ))
            };
            any.push(all_in(f.text));
            if personal {
                any.push(all_in(f.name));
            }
        }
        let number = part.to_lowercase();
        any.push(number_query(f.numbers, &number));
        if personal {
            any.push(number_query(f.contact_numbers, &number));
        }
        Box::new(BooleanQuery::union(any))
    }

    /// The words of `text` as the index cuts them, without punctuation.
    fn words(&self, text: &str) -> Vec<String> {
        words(&self.index, text)
    }
}

/// The words of `text` as `index` cuts Chinese (jieba), lower-cased, without punctuation
/// and without repeats: what a search must find.
pub(crate) fn words(index: &Index, text: &str) -> Vec<String> {
    let mut analyzer = index
        .tokenizers()
        .get(ZH)
        .expect("the Chinese analyzer is registered when an index is opened or built");
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(token) = stream.next() {
        if token.text.chars().any(char::is_alphanumeric) && !words.contains(&token.text) {
            words.push(token.text.clone());
        }
    }
    words
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// The number itself, or (long enough to be selective) every number it begins.
fn number_query(field: Field, number: &str) -> Box<dyn Query> {
    if number.chars().count() < MIN_PREFIX {
        return term(field, number);
    }
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_text(field, number)),
        Bound::Excluded(Term::from_field_text(field, &format!("{number}\u{10FFFF}"))),
    ))
}
