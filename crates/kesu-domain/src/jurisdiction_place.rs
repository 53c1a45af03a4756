//! Places read from Chinese addresses and the associations named after them, for
//! [`crate::jurisdiction`]: "浙江省杭州市西湖区文三路100号" is 浙江省 / 杭州市 / 西湖区, and its
//! county association is 杭州市西湖区消费者权益保护委员会.

use crate::codes::Jurisdiction;
use crate::jurisdiction::{Association, Level, Place};

/// The four municipalities directly under the central government: province and city at once.
const MUNICIPALITIES: [&str; 4] = ["北京", "上海", "天津", "重庆"];

/// Takes the leading part of `rest` that ends in one of `ends` (the shortest such part).
fn take<'a>(rest: &mut &'a str, ends: &[&str]) -> Option<&'a str> {
    let cut = ends
        .iter()
        .filter_map(|e| rest.find(e).map(|i| i + e.len()))
        .min()?;
    let (head, tail) = rest.split_at(cut);
    *rest = tail;
    Some(head)
}

/// The province, city and county an address names, when it names all three (a
/// municipality's address names the city once: 上海市浦东新区… is 上海市 / 上海市 / 浦东新区).
pub fn place_of(address: &str) -> Option<Place> {
    let mut rest = address.trim();
    let municipality = MUNICIPALITIES.iter().find(|m| rest.starts_with(*m));
    let (province, city) = match municipality {
        Some(m) => {
            let city = take(&mut rest, &["市"]).unwrap_or(m).to_owned();
            (city.clone(), city)
        }
        None => {
            let province = take(&mut rest, &["自治区", "特别行政区", "省"])?.to_owned();
            let city = take(&mut rest, &["自治州", "地区", "盟", "市"])?.to_owned();
            (province, city)
        }
    };
    let county = take(&mut rest, &["区", "县", "旗", "市"])?.to_owned();
    Some(Place {
        province,
        city,
        county,
    })
}

/// What the association calls itself, as a referral names it.
pub fn association_name(a: &Association) -> String {
    let p = &a.place;
    match a.level {
        Level::County => format!("{}{}消费者权益保护委员会", p.city, p.county),
        Level::City => format!("{}消费者权益保护委员会", p.city),
        Level::Province => format!("{}消费者权益保护委员会", p.province),
        Level::National => "中国消费者协会".to_owned(),
    }
}

/// The association for a complaint against the shop at `shop_address`, from a consumer at
/// `consumer_address` (if known): seed 001's rules with the seed's home agreement for the
/// consumer's province.
pub fn suggest(shop_address: &str, consumer_address: Option<&str>) -> Option<Association> {
    let shop = place_of(shop_address)?;
    let consumer = consumer_address.and_then(place_of);
    let agreement = consumer
        .as_ref()
        .map(|c| crate::jurisdiction::HomeAgreement {
            consumers_of: c.province.clone(),
            regions: crate::jurisdiction::SEED_AGREEMENT_REGIONS
                .iter()
                .map(|r| (*r).to_owned())
                .collect(),
        });
    crate::jurisdiction::association(
        &crate::jurisdiction::Parties {
            respondents: vec![&shop],
            consumer: consumer.as_ref(),
            ..Default::default()
        },
        agreement.as_ref(),
    )
}

/// The referral's level for an association's.
pub fn referral_level(level: Level) -> Option<Jurisdiction> {
    match level {
        Level::County => Some(Jurisdiction::County),
        Level::City => Some(Jurisdiction::City),
        Level::Province => Some(Jurisdiction::Province),
        Level::National => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(province: &str, city: &str, county: &str) -> Option<Place> {
        Some(Place {
            province: province.into(),
            city: city.into(),
            county: county.into(),
        })
    }

    #[test]
    fn addresses_are_read_down_to_the_county() {
        assert_eq!(
            place_of("浙江省杭州市西湖区文三路 100 号"),
            p("浙江省", "杭州市", "西湖区")
        );
        assert_eq!(
            place_of("上海市浦东新区世纪大道1号"),
            p("上海市", "上海市", "浦东新区")
        );
        assert_eq!(
            place_of("广西壮族自治区南宁市青秀区民族大道"),
            p("广西壮族自治区", "南宁市", "青秀区")
        );
        assert_eq!(
            place_of("江苏省苏州市昆山市玉山镇"),
            p("江苏省", "苏州市", "昆山市")
        );
        assert_eq!(place_of("文三路100号"), None);
    }

    /// Seed 001 rule 1: the county association where the shop is.
    #[test]
    fn the_county_association_is_named_after_city_and_county() {
        let shop = place_of("浙江省杭州市西湖区文三路100号").unwrap();
        let a = crate::jurisdiction::association(
            &crate::jurisdiction::Parties {
                respondents: vec![&shop],
                ..Default::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(association_name(&a), "杭州市西湖区消费者权益保护委员会");
        assert_eq!(referral_level(a.level), Some(Jurisdiction::County));
    }
}
