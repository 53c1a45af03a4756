//! kesu's words: the workbench's texts, the label of every code and the message of every
//! error code, in Chinese (first) and English. The words live in Fluent files under
//! `locales/<lang>/` (`workbench.ftl`, `labels.ftl`, `problems.ftl`); this crate looks them up.
//! Nothing else in kesu holds words a person reads on a page: the domain speaks in codes.

mod labels;
mod problems;

use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

pub use labels::Labelled;
pub use problems::{field_label, problem, problem_only, request_problem};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // Isolation marks (U+2068/U+2069) around arguments would show in text fields,
        // CSV cells and tests; kesu's texts do not mix writing directions.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

/// One argument of a message: a number or a text.
pub enum Value<'a> {
    Int(i64),
    Text(&'a str),
}

static ZH: LazyLock<LanguageIdentifier> = LazyLock::new(|| "zh-CN".parse().expect("zh-CN"));
static EN: LazyLock<LanguageIdentifier> = LazyLock::new(|| "en".parse().expect("en"));

/// Texts without arguments, looked up once and kept, one table per language (the keys are
/// those of the files, so the tables are bounded). Read by `&str`: no allocation per lookup.
static PLAIN: LazyLock<[RwLock<HashMap<String, &'static str>>; 2]> =
    LazyLock::new(Default::default);

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// `en…` is English; anything else Chinese.
    pub fn from_code(code: &str) -> Lang {
        if code.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The reply scripts' language for a page in this language.
    pub fn scripts(self) -> kesu_domain::scripts::Language {
        match self {
            Lang::Zh => kesu_domain::scripts::Language::Zh,
            Lang::En => kesu_domain::scripts::Language::En,
        }
    }

    /// The text for `key`, or `None` when the files do not have it.
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        let table = &PLAIN[self as usize];
        if let Some(hit) = table.read().ok()?.get(key) {
            return Some(hit);
        }
        let text: &'static str = LOCALES.try_lookup(self.id(), key)?.leak();
        if let Ok(mut table) = table.write() {
            table.insert(key.to_owned(), text);
        }
        Some(text)
    }

    /// The text for `key`; the key itself when it has none (a test keeps that from happening).
    pub fn t(self, key: &'static str) -> &'static str {
        self.lookup(key).unwrap_or(key)
    }

    /// The text for `key` with its arguments, or `None` when the files do not have it.
    pub fn format(self, key: &str, args: &[(&str, Value<'_>)]) -> Option<String> {
        let args: HashMap<std::borrow::Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, v)| {
                let value = match v {
                    Value::Int(n) => FluentValue::from(*n),
                    Value::Text(t) => FluentValue::from(*t),
                };
                (std::borrow::Cow::Owned((*name).to_owned()), value)
            })
            .collect();
        LOCALES.try_lookup_with_args(self.id(), key, &args)
    }

    /// The label of a code (渠道 `web_form` → 网页表单).
    pub fn label<L: Labelled>(self, value: L) -> &'static str {
        let code = value.code();
        self.lookup(&format!("{}-{code}", L::KIND)).unwrap_or(code)
    }

    /// A history entry's action (`register` → 登记投诉, a step of a flow by its step label).
    pub fn action(self, action: &str) -> String {
        self.lookup(&format!("action-{action}"))
            .or_else(|| self.lookup(&format!("step-{action}")))
            .unwrap_or(action)
            .to_owned()
    }

    /// What to do about a logistics exception of `kind`, from the playbook.
    pub fn playbook(self, kind: kesu_domain::logistics::ExceptionKind) -> &'static str {
        self.lookup(&format!("playbook-{}", kind.code()))
            .unwrap_or("")
    }

    /// A payment or refund method's name (`alipay` → 支付宝); an unknown code as it is.
    pub fn payment(self, code: &str) -> String {
        self.lookup(&format!("payment-{}", code.trim()))
            .unwrap_or(code)
            .to_owned()
    }

    /// A carrier's name for its code (`yto` → 圆通速递); an unknown code as it is.
    pub fn carrier(self, code: &str) -> String {
        let key = format!("carrier-{}", code.trim().to_ascii_lowercase());
        self.lookup(&key).unwrap_or(code).to_owned()
    }
}

#[cfg(test)]
mod tests;
