//! Which consumer association handles a complaint (seed 001: 地域管辖为主，级别管辖为辅):
//! 1. the county-level association where the respondent is; where the respondent's location
//!    and its domicile (常住地) differ, the domicile's county association;
//! 2. a case that involves two or more counties goes to their common higher association (the
//!    city's, or the province's);
//! 3. two or more cities: the province's association (which may hand it to any association
//!    of its area connected with the case);
//! 5. a foreign consumer against a domestic business: the respondent's county association; and
//!    where the province has an agreement with other regions (the seed's names 上海, 江苏,
//!    香港, 澳门), its consumers who bought there may also complain at home.
//!
//! (Rule 4, the province forwarding letters and online complaints to the local association,
//! is what the associations do, not a choice the shop makes.)

use serde::{Deserialize, Serialize};

/// A place down to the county (区/县), as addresses name them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Place {
    pub province: String,
    pub city: String,
    pub county: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    County,
    City,
    Province,
    /// Places in more than one province: the seed has no rule; the China Consumers'
    /// Association is the common higher body.
    National,
}

/// The association that handles it: its level and the place it serves (names below the
/// level left empty), the seed's rule that decided, and where the consumer may also go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Association {
    pub level: Level,
    pub place: Place,
    pub rule: u8,
    pub also_at_consumers_home: Option<Place>,
}

/// A province's agreement: its consumers who bought in `regions` may complain at home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeAgreement {
    pub consumers_of: String,
    pub regions: Vec<String>,
}

/// The regions the seed's agreement names.
pub const SEED_AGREEMENT_REGIONS: [&str; 4] = ["上海", "江苏", "香港", "澳门"];

/// What the complaint is about.
#[derive(Debug, Clone, Default)]
pub struct Parties<'a> {
    /// Every respondent's location (the shop; a carrier or maker named too).
    pub respondents: Vec<&'a Place>,
    /// The main respondent's domicile, where it differs from its location.
    pub domicile: Option<&'a Place>,
    pub consumer: Option<&'a Place>,
    pub consumer_foreign: bool,
}

fn same(a: &str, b: &str) -> bool {
    let trim = |s: &str| {
        s.trim()
            .trim_end_matches(['省', '市', '区', '县'])
            .to_owned()
    };
    trim(a) == trim(b)
}

/// The association for `parties`; `None` without a respondent.
pub fn association(
    parties: &Parties<'_>,
    agreement: Option<&HomeAgreement>,
) -> Option<Association> {
    let main = parties
        .domicile
        .or_else(|| parties.respondents.first().copied())?;
    let mut places: Vec<&Place> = vec![main];
    places.extend(parties.respondents.iter().skip(1).copied());
    let one_province = places.iter().all(|p| same(&p.province, &main.province));
    let one_city = one_province && places.iter().all(|p| same(&p.city, &main.city));
    let one_county = one_city && places.iter().all(|p| same(&p.county, &main.county));
    let cut = |level: Level| Place {
        province: if level == Level::National {
            String::new()
        } else {
            main.province.clone()
        },
        city: if matches!(level, Level::County | Level::City) {
            main.city.clone()
        } else {
            String::new()
        },
        county: if level == Level::County {
            main.county.clone()
        } else {
            String::new()
        },
    };
    let (level, rule) = if one_county {
        (Level::County, if parties.consumer_foreign { 5 } else { 1 })
    } else if one_city {
        (Level::City, 2)
    } else if one_province {
        (Level::Province, 3)
    } else {
        (Level::National, 3)
    };
    let also_at_consumers_home = match (parties.consumer, agreement) {
        (Some(home), Some(a))
            if !parties.consumer_foreign
                && same(&home.province, &a.consumers_of)
                && a.regions.iter().any(|r| same(r, &main.province)) =>
        {
            Some(home.clone())
        }
        _ => None,
    };
    Some(Association {
        level,
        place: cut(level),
        rule,
        also_at_consumers_home,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(province: &str, city: &str, county: &str) -> Place {
        Place {
            province: province.into(),
            city: city.into(),
            county: county.into(),
        }
    }

    /// Rule 1: the respondent's county; its domicile's where the two differ.
    #[test]
    fn the_respondents_county_or_its_domicile() {
        let shop = place("浙江省", "杭州市", "西湖区");
        let a = association(
            &Parties {
                respondents: vec![&shop],
                ..Parties::default()
            },
            None,
        )
        .unwrap();
        assert_eq!((a.level, a.rule), (Level::County, 1));
        assert_eq!(a.place, shop);
        let home = place("浙江省", "宁波市", "鄞州区");
        let a = association(
            &Parties {
                respondents: vec![&shop],
                domicile: Some(&home),
                ..Parties::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(a.place, home);
    }

    /// Rules 2 and 3: two counties of one city → the city; two cities → the province.
    #[test]
    fn several_counties_or_cities_go_up_to_their_common_association() {
        let shop = place("浙江省", "杭州市", "西湖区");
        let carrier = place("浙江", "杭州", "余杭区");
        let maker = place("浙江省", "温州市", "鹿城区");
        let a = association(
            &Parties {
                respondents: vec![&shop, &carrier],
                ..Parties::default()
            },
            None,
        )
        .unwrap();
        assert_eq!((a.level, a.rule), (Level::City, 2));
        assert_eq!(a.place, place("浙江省", "杭州市", ""));
        let a = association(
            &Parties {
                respondents: vec![&shop, &maker],
                ..Parties::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(
            (a.level, a.rule, a.place.province.as_str()),
            (Level::Province, 3, "浙江省")
        );
        let far = place("广东省", "深圳市", "南山区");
        let a = association(
            &Parties {
                respondents: vec![&shop, &far],
                ..Parties::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(a.level, Level::National);
    }

    /// Rule 5: a foreign consumer goes to the respondent's county; a consumer of a province
    /// with an agreement may also complain at home about a shop in those regions.
    #[test]
    fn foreign_consumers_and_the_provinces_agreement() {
        let shop = place("上海市", "上海市", "浦东新区");
        let consumer = place("浙江省", "杭州市", "西湖区");
        let agreement = HomeAgreement {
            consumers_of: "浙江".into(),
            regions: SEED_AGREEMENT_REGIONS.map(str::to_owned).to_vec(),
        };
        let parties = Parties {
            respondents: vec![&shop],
            consumer: Some(&consumer),
            ..Parties::default()
        };
        let a = association(&parties, Some(&agreement)).unwrap();
        assert_eq!(
            (a.level, a.place.county.as_str()),
            (Level::County, "浦东新区")
        );
        assert_eq!(a.also_at_consumers_home, Some(consumer.clone()));
        let foreign = Parties {
            consumer_foreign: true,
            ..parties.clone()
        };
        let a = association(&foreign, Some(&agreement)).unwrap();
        assert_eq!((a.rule, a.also_at_consumers_home), (5, None));
        // No agreement for a shop elsewhere.
        let beijing = place("北京市", "北京市", "朝阳区");
        let other = Parties {
            respondents: vec![&beijing],
            ..parties
        };
        assert_eq!(
            association(&other, Some(&agreement))
                .unwrap()
                .also_at_consumers_home,
            None
        );
    }
}
