"""The service's operations, one function each: submit, read and list proposals, score, replay, ...

Routes, pages and CLI commands call these and only translate: HTTP (status, query, body), HTML
(forms, templates) or the command line. A use case takes the app's `Services` and, where the
operation is someone's, the `Principal` already allowed by the caller's permission check;
kelurahan scoping, which depends on the data, is checked here.
"""
