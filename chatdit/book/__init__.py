"""The book a person takes away: whose words each page prints (`texts`, `writer`, `story`,
`title`), and the exports (`export` picks `pdf`, `html` or `slideshow` by suffix; `spec` holds
what they are made of, `fonts` and `pictures` what they print with)."""
