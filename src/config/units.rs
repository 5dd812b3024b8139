//! Durations (`90s`, `15m`, `1h30m`, `7d`) and sizes (`512KiB`, `8MiB`) as written in the config.

use std::time::Duration;

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim()).map_err(|e| {
        format!("invalid duration {s:?} ({e}); write it like \"90s\", \"15m\", \"1h30m\" or \"7d\"")
    })?;
    if d.is_zero() {
        return Err(format!("duration {s:?} must be greater than zero"));
    }
    Ok(d)
}

pub fn parse_size(s: &str) -> Result<u64, String> {
    let n = parse_size::parse_size(s.trim())
        .map_err(|e| format!("invalid size {s:?} ({e}); write it like \"512KiB\" or \"8MiB\""))?;
    if n == 0 {
        return Err(format!("size {s:?} must be greater than zero"));
    }
    Ok(n)
}

/// Prints a duration the way the config writes it (`1h30m`).
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (hours, rest) = (rest / 3600, rest % 3600);
    let (mins, s) = (rest / 60, rest % 60);
    let mut out = String::new();
    for (n, unit) in [(days, "d"), (hours, "h"), (mins, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(
            parse_duration("7d").unwrap(),
            Duration::from_secs(7 * 86400)
        );
        assert!(
            parse_duration("soon")
                .unwrap_err()
                .contains("invalid duration")
        );
        assert!(parse_duration("0s").is_err());
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8MiB").unwrap(), 8 * 1024 * 1024);
        assert_eq!(parse_size("512KiB").unwrap(), 512 * 1024);
        assert!(parse_size("lots").is_err());
    }
}
