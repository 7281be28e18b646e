//! Text from users (scenario names, file names, keys) made safe where it
//! leaves the program: a spreadsheet must not read a name as a formula, and
//! a terminal must not obey escape sequences hidden in one.

/// `text` with every control character (ANSI escapes among them) written as
/// a visible `\u{…}` escape, for the terminal.
pub fn for_terminal(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A scenario's label as experiments write it in CSV files, manifests and
/// tables: control characters made visible, and a leading `=`, `+`, `-`
/// or `@` (which a spreadsheet would read as a formula) preceded by `'`,
/// OWASP's rule against CSV injection.
pub fn label(name: &str) -> String {
    let visible = for_terminal(name);
    if visible.starts_with(['=', '+', '-', '@']) {
        format!("'{visible}")
    } else {
        visible
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_and_escapes_are_neutralised() {
        assert_eq!(label("party_led"), "party_led");
        assert_eq!(label("=1+1"), "'=1+1");
        assert_eq!(label("+20% capacity"), "'+20% capacity");
        assert_eq!(label("-x"), "'-x");
        assert_eq!(label("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(label("a=b"), "a=b");
        assert_eq!(for_terminal("red \u{1b}[31m"), "red \\u{1b}[31m");
        assert_eq!(label("\u{1b}[2J=x"), "\\u{1b}[2J=x");
        assert_eq!(for_terminal("tab\there"), "tab\\u{9}here");
    }
}
