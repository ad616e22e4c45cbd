//! What a photo's own metadata says about whom to credit, for `credit` when the upload gives
//! none. Agencies write it in IPTC (the credit line, 2:110) and XMP (`photoshop:Credit`);
//! cameras and editors write EXIF `Copyright` and `Artist`. All three blocks are read here,
//! before they are thrown away with the rest of the metadata.
//!
//! The first of these found wins: a credit line (IPTC, XMP), then a copyright notice (EXIF,
//! IPTC, XMP `dc:rights`), then the creator (EXIF `Artist`, IPTC by-line, XMP `dc:creator`).
//! The blocks are hostile input like the rest of the upload: every length is checked, and a
//! malformed block yields nothing rather than an error.

/// The longest credit kept from a file, in characters.
const MAX_CHARS: usize = 300;

/// The metadata blocks of an upload, as the decoder hands them over.
#[derive(Debug, Default)]
pub struct Blocks {
    pub exif: Option<Vec<u8>>,
    /// IPTC-IIM datasets, bare or inside Photoshop image resources (JPEG's APP13).
    pub iptc: Option<Vec<u8>>,
    /// The XMP packet.
    pub xmp: Option<Vec<u8>>,
}

/// The credit the blocks carry, if any.
pub fn embedded(blocks: &Blocks) -> Option<String> {
    let exif = blocks.exif.as_deref().map(Exif::read).unwrap_or_default();
    let iptc = blocks.iptc.as_deref().map(Iptc::read).unwrap_or_default();
    let xmp = blocks.xmp.as_deref().map(Xmp::read).unwrap_or_default();
    [
        iptc.credit,
        xmp.credit,
        exif.copyright,
        iptc.copyright,
        xmp.rights,
        exif.artist,
        iptc.byline,
        xmp.creator,
    ]
    .into_iter()
    .flatten()
    .find_map(|text| clean(&text))
}

/// One line of printable text, or nothing.
fn clean(text: &str) -> Option<String> {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then(|| line.chars().take(MAX_CHARS).collect())
}

#[derive(Debug, Default)]
struct Exif {
    copyright: Option<String>,
    artist: Option<String>,
}

impl Exif {
    fn read(raw: &[u8]) -> Self {
        let Ok(exif) = exif::Reader::new().read_raw(raw.to_vec()) else {
            return Self::default();
        };
        let text = |tag| {
            let field = exif.get_field(tag, exif::In::PRIMARY)?;
            match &field.value {
                exif::Value::Ascii(parts) => Some(
                    parts
                        .iter()
                        .map(|p| String::from_utf8_lossy(p).into_owned())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                _ => None,
            }
        };
        Self {
            copyright: text(exif::Tag::Copyright),
            artist: text(exif::Tag::Artist),
        }
    }
}

#[derive(Debug, Default)]
struct Iptc {
    credit: Option<String>,
    copyright: Option<String>,
    byline: Option<String>,
}

impl Iptc {
    /// IIM record 2 datasets: 80 by-line, 110 credit, 116 copyright notice.
    fn read(raw: &[u8]) -> Self {
        let datasets = if raw.first() == Some(&0x1C) {
            raw
        } else {
            photoshop_iptc(raw).unwrap_or_default()
        };
        let mut found = Self::default();
        let mut rest = datasets;
        // Each dataset: 0x1C, record, number, a big-endian length, the value. An extended
        // length (high bit set) is for values far larger than any credit: stop there.
        while let [0x1C, record, number, high, low, tail @ ..] = rest {
            let length = usize::from(u16::from_be_bytes([*high, *low]));
            if length & 0x8000 != 0 || tail.len() < length {
                break;
            }
            let (value, next) = tail.split_at(length);
            if *record == 2 {
                let slot = match number {
                    80 => &mut found.byline,
                    110 => &mut found.credit,
                    116 => &mut found.copyright,
                    _ => &mut None,
                };
                if slot.is_none() {
                    *slot = Some(text_of(value));
                }
            }
            rest = next;
        }
        found
    }
}

/// The IPTC-NAA resource (id 0x0404) among Photoshop image resources: each is `8BIM`, an
/// id, a padded Pascal-string name, a 32-bit length and the data, padded to an even length.
fn photoshop_iptc(mut rest: &[u8]) -> Option<&[u8]> {
    while let [
        b'8',
        b'B',
        b'I',
        b'M',
        id_high,
        id_low,
        name_length,
        tail @ ..,
    ] = rest
    {
        let id = u16::from_be_bytes([*id_high, *id_low]);
        // The name with its length byte takes an even number of bytes.
        let name = usize::from(*name_length) + usize::from(*name_length % 2 == 0);
        let tail = tail.get(name..)?;
        let size = u32::from_be_bytes(tail.get(..4)?.try_into().ok()?) as usize;
        let data = tail.get(4..4usize.checked_add(size)?)?;
        if id == 0x0404 {
            return Some(data);
        }
        rest = tail.get(4 + size + size % 2..).unwrap_or_default();
    }
    None
}

/// IIM text: UTF-8 when it is (the usual since IPTC's 1:90 = UTF-8), else Latin-1.
fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

#[derive(Debug, Default)]
struct Xmp {
    credit: Option<String>,
    rights: Option<String>,
    creator: Option<String>,
}

impl Xmp {
    /// `photoshop:Credit` (an element or an attribute of `rdf:Description`), and the first
    /// value of `dc:rights` and `dc:creator`. Matched by their customary prefixes, which every
    /// XMP writer uses, rather than by resolving namespaces.
    fn read(raw: &[u8]) -> Self {
        use quick_xml::events::Event;
        let mut found = Self::default();
        let mut reader = quick_xml::Reader::from_reader(raw);
        // The property being read, and its text so far.
        let mut open: Option<(&'static str, String)> = None;
        loop {
            let event = match reader.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(event) => event,
            };
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    for attribute in e.attributes().flatten() {
                        if attribute.key.as_ref() == b"photoshop:Credit"
                            && let Ok(value) =
                                attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        {
                            found.credit.get_or_insert_with(|| value.into_owned());
                        }
                    }
                    match e.name().as_ref() {
                        b"photoshop:Credit" => open = Some(("credit", String::new())),
                        b"dc:rights" => open = Some(("rights", String::new())),
                        b"dc:creator" => open = Some(("creator", String::new())),
                        _ => {}
                    }
                }
                Event::Text(t) => {
                    if let (Some((_, text)), Ok(part)) = (open.as_mut(), t.decode()) {
                        text.push_str(&part);
                    }
                }
                Event::CData(t) => {
                    if let (Some((_, text)), Ok(part)) = (open.as_mut(), t.decode()) {
                        text.push_str(&part);
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some((_, text)) = open.as_mut() {
                        if let Ok(Some(c)) = r.resolve_char_ref() {
                            text.push(c);
                        } else if let Ok(name) = r.decode()
                            && let Some(value) = quick_xml::escape::resolve_predefined_entity(&name)
                        {
                            text.push_str(value);
                        }
                    }
                }
                // The first `rdf:li` of a list is the value; the property ends there.
                Event::End(e)
                    if matches!(
                        e.name().as_ref(),
                        b"rdf:li" | b"photoshop:Credit" | b"dc:rights" | b"dc:creator"
                    ) =>
                {
                    if let Some((property, text)) = open.take() {
                        let slot = match property {
                            "credit" => &mut found.credit,
                            "rights" => &mut found.rights,
                            _ => &mut found.creator,
                        };
                        if slot.is_none() && !text.trim().is_empty() {
                            *slot = Some(text);
                        } else if text.trim().is_empty() && e.name().as_ref() == b"rdf:li" {
                            // An empty first item: keep looking in the same property.
                            open = Some((property, String::new()));
                        }
                    }
                }
                _ => {}
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any bytes, and any damage to a valid block: an answer or nothing, never a panic.
        #[test]
        fn hostile_blocks_never_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..400),
            cut in 0usize..200,
            flip in 0usize..200,
        ) {
            let mut damaged = photoshop(&iim(&[(80, "Sami"), (110, "AFP"), (116, "© AFP")]));
            if let Some(byte) = damaged.get_mut(flip) {
                *byte ^= 0xA5;
            }
            damaged.truncate(cut);
            for block in [bytes.clone(), damaged] {
                let blocks = Blocks {
                    exif: Some(block.clone()),
                    iptc: Some(block.clone()),
                    xmp: Some(block),
                };
                if let Some(credit) = embedded(&blocks) {
                    prop_assert!(!credit.is_empty() && credit.chars().count() <= MAX_CHARS);
                    prop_assert!(!credit.chars().any(char::is_control));
                }
            }
        }
    }

    fn iim(datasets: &[(u8, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (number, value) in datasets {
            out.extend([0x1C, 2, *number]);
            out.extend((value.len() as u16).to_be_bytes());
            out.extend(value.as_bytes());
        }
        out
    }

    fn photoshop(iim: &[u8]) -> Vec<u8> {
        let mut out = b"8BIM\x04\x25\x00\x00\x00\x00\x00\x03abc\x00".to_vec();
        out.extend(b"8BIM\x04\x04\x00\x00");
        out.extend((iim.len() as u32).to_be_bytes());
        out.extend(iim);
        out
    }

    #[test]
    fn an_agency_credit_line_comes_first() {
        let iptc = photoshop(&iim(&[
            (80, "Sami Haddad"),
            (110, "AFP"),
            (116, "© AFP 2026"),
        ]));
        let blocks = Blocks {
            iptc: Some(iptc),
            ..Default::default()
        };
        assert_eq!(embedded(&blocks).as_deref(), Some("AFP"));
        let bare = Blocks {
            iptc: Some(iim(&[(80, "سامي حداد")])),
            ..Default::default()
        };
        assert_eq!(embedded(&bare).as_deref(), Some("سامي حداد"));
    }

    #[test]
    fn xmp_credit_rights_and_creator_are_read_in_either_form() {
        let element = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">
            <dc:creator><rdf:Seq><rdf:li>Layla &amp; Omar</rdf:li></rdf:Seq></dc:creator>
            <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© Reuters</rdf:li></rdf:Alt></dc:rights>
            </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let blocks = Blocks {
            xmp: Some(element.as_bytes().to_vec()),
            ..Default::default()
        };
        assert_eq!(embedded(&blocks).as_deref(), Some("© Reuters"));
        let attribute = br#"<rdf:RDF><rdf:Description photoshop:Credit="AP &amp; Co"/></rdf:RDF>"#;
        let blocks = Blocks {
            xmp: Some(attribute.to_vec()),
            ..Default::default()
        };
        assert_eq!(embedded(&blocks).as_deref(), Some("AP & Co"));
        let creator = br#"<rdf:RDF><rdf:Description><dc:creator><rdf:Seq><rdf:li>Layla &#x26; Omar</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF>"#;
        let blocks = Blocks {
            xmp: Some(creator.to_vec()),
            ..Default::default()
        };
        assert_eq!(embedded(&blocks).as_deref(), Some("Layla & Omar"));
    }

    #[test]
    fn malformed_blocks_yield_nothing_and_never_panic() {
        let mut truncated = photoshop(&iim(&[(110, "AFP")]));
        truncated.truncate(truncated.len() - 2);
        for iptc in [
            truncated,
            b"8BIM".to_vec(),
            b"8BIM\x04\x04\xff".to_vec(),
            b"8BIM\x04\x04\x00\x00\xff\xff\xff\xff".to_vec(),
            vec![0x1C, 2, 110, 0xFF, 0xFF, b'x'],
            vec![0x1C],
            Vec::new(),
        ] {
            let blocks = Blocks {
                iptc: Some(iptc),
                ..Default::default()
            };
            assert_eq!(embedded(&blocks), None);
        }
        for xmp in [&b"<dc:rights><rdf:li>"[..], b"<<<", b"\xff\xfe", b""] {
            let blocks = Blocks {
                xmp: Some(xmp.to_vec()),
                ..Default::default()
            };
            assert_eq!(embedded(&blocks), None);
        }
        let controls = Blocks {
            iptc: Some(iim(&[(110, "A\u{0}F\nP  ")])),
            ..Default::default()
        };
        assert_eq!(embedded(&controls).as_deref(), Some("A F P"));
    }
}
