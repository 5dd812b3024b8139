//! RSS `<skipHours>` and `<skipDays>`, which feed-rs does not read, from the raw document.

/// The text inside the first `<tag>…</tag>` of `doc`, if any.
pub(super) fn element<'a>(doc: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = doc.find(&open)? + open.len();
    let end = start + doc[start..].find(&close)?;
    Some(&doc[start..end])
}

/// Every text of `<tag>…</tag>` inside `block`.
pub(super) fn elements<'a>(mut block: &'a str, tag: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    while let Some(text) = element(block, tag) {
        out.push(text.trim());
        let consumed = block.find(text).unwrap_or(0) + text.len();
        block = &block[consumed..];
    }
    out
}

/// RSS `<skipHours>` and `<skipDays>` (feed-rs does not read them) as bit sets: bit n = hour
/// n (GMT); bit 0 = Monday. Only the channel's own elements, before the first item, count.
pub(super) fn skip_schedule(bytes: &[u8]) -> (u32, u8) {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let channel = text.split("<item").next().unwrap_or("");
    let mut hours = 0u32;
    for h in element(channel, "skipHours")
        .map(|b| elements(b, "hour"))
        .unwrap_or_default()
    {
        // RSS 2.0 says 0–23; some feeds write 24 for midnight.
        if let Ok(n) = h.parse::<u32>() {
            hours |= 1 << (n % 24);
        }
    }
    let mut days = 0u8;
    for d in element(channel, "skipDays")
        .map(|b| elements(b, "day"))
        .unwrap_or_default()
    {
        let bit = match d.to_ascii_lowercase().as_str() {
            "monday" => 0,
            "tuesday" => 1,
            "wednesday" => 2,
            "thursday" => 3,
            "friday" => 4,
            "saturday" => 5,
            "sunday" => 6,
            _ => continue,
        };
        days |= 1 << bit;
    }
    (hours, days)
}
