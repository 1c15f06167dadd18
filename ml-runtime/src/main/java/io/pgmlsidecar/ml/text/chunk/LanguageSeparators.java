package io.pgmlsidecar.ml.text.chunk;

import java.util.List;

/**
 * LangChain's {@code RecursiveCharacterTextSplitter.get_separators_for_language} for the languages pgml.chunk
 * offers. The entries are Python regex sources; note that LangChain's MarkdownTextSplitter, PythonCodeTextSplitter
 * and LatexTextSplitter (what pgml.chunk calls) leave {@code is_separator_regex} false, so by default they are
 * matched as literal text — only {@code from_language} (here: {@code is_separator_regex: true}) reads them as regexes.
 */
final class LanguageSeparators {
    static final List<String> MARKDOWN = List.of(
            "\n#{1,6} ",             // headings
            "```\n",                 // end of a code block
            "\n\\*\\*\\*+\n",        // horizontal rules
            "\n---+\n",
            "\n___+\n",
            "\n\n", "\n", " ", "");

    static final List<String> PYTHON = List.of(
            "\nclass ", "\ndef ", "\n\tdef ",
            "\n\n", "\n", " ", "");

    static final List<String> LATEX = List.of(
            "\n\\\\chapter{", "\n\\\\section{", "\n\\\\subsection{", "\n\\\\subsubsection{",
            "\n\\\\begin{enumerate}", "\n\\\\begin{itemize}", "\n\\\\begin{description}", "\n\\\\begin{list}",
            "\n\\\\begin{quote}", "\n\\\\begin{quotation}", "\n\\\\begin{verse}", "\n\\\\begin{verbatim}",
            "\n\\\\begin{align}", "$$", "$",
            " ", "");

    private LanguageSeparators() {
    }
}
