package io.pgmlsidecar.ml.text.chunk;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.FAKE_PYTHON;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.LATEX_DOC;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.MARKDOWN_DOC;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.PYTHON_CODE;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.assertChunks;

/**
 * The markdown, python and latex splitters: recursive splitting with LangChain's separator tables. pgml.chunk uses
 * LangChain's MarkdownTextSplitter / PythonCodeTextSplitter / LatexTextSplitter, which match the tables literally;
 * with is_separator_regex true they behave like LangChain's from_language (whose unit tests are reused here).
 */
class LanguageSplitterTest {
    private static final String LANGCHAIN_MARKDOWN = "\n# Sample Document\n\n## Section\n\nThis is the content of the section.\n\n"
            + "## Lists\n\n- Item 1\n- Item 2\n- Item 3\n\n### Horizontal lines\n\n***********\n____________\n-------------------\n\n"
            + "#### Code blocks\n```\nThis is a code block\n\n# sample code\na = 1\nb = 2\n```\n    ";

    @Test
    void langChainPythonTextSplitterExample() {
        assertChunks(List.of("class Foo:\n\n    def bar():", "def foo():", "def testing_func():", "def bar():"),
                "python", FAKE_PYTHON, "chunk_size", 30, "chunk_overlap", 0);
    }

    @Test
    void langChainPythonCodeSplitterExample() {
        String code = "\ndef hello_world():\n    print(\"Hello, World!\")\n\n# Call the function\nhello_world()\n    ";
        List<String> expected = List.of("def", "hello_world():", "print(\"Hello,", "World!\")", "# Call the", "function", "hello_world()");
        assertChunks(expected, "python", code, "chunk_size", 16, "chunk_overlap", 0);
        assertChunks(expected, "python", code, "chunk_size", 16, "chunk_overlap", 0, "is_separator_regex", true);
    }

    @Test
    void pythonSplitsAtTopLevelDefinitionsFirst() {
        assertChunks(List.of("class Greeter:\n    def __init__(self, name):", "self.name = name",
                        "def greet(self):\n        return \"Hello \" + self.name", "def main():\n    Greeter(\"pg\").greet()"),
                "python", PYTHON_CODE, "chunk_size", 60, "chunk_overlap", 0);
        assertChunks(List.of("class Greeter:", "def __init__(self, name):", "self.name = name", "def greet(self):",
                        "return \"Hello \" +", "self.name", "def main():", "Greeter(\"pg\").greet()"),
                "python", PYTHON_CODE, "chunk_size", 30, "chunk_overlap", 0);
    }

    @Test
    void langChainMarkdownExampleWithRegexSeparators() {
        assertChunks(List.of("# Sample", "Document", "## Section", "This is the", "content of the", "section.", "## Lists",
                        "- Item 1", "- Item 2", "- Item 3", "### Horizontal", "lines", "***********", "____________",
                        "---------------", "----", "#### Code", "blocks", "```", "This is a code", "block", "# sample code",
                        "a = 1\nb = 2", "```"),
                "markdown", LANGCHAIN_MARKDOWN, "chunk_size", 16, "chunk_overlap", 0, "is_separator_regex", true);
        assertChunks(List.of("harry", "***\nbabylon is"), "markdown", "harry\n***\nbabylon is",
                "chunk_size", 16, "chunk_overlap", 0, "is_separator_regex", true);
    }

    @Test
    void markdownByDefaultMatchesTheTableLiterallySoOnlyCodeFencesAndLinesSplit() {
        assertChunks(List.of("harry\n***", "babylon is"), "markdown", "harry\n***\nbabylon is", "chunk_size", 16, "chunk_overlap", 0);
        assertChunks(List.of("# Title\n\nIntro text here.\n\n## Install", "```\npip install pgml", "```\n\n## Usage\n\nCall it."),
                "markdown", MARKDOWN_DOC, "chunk_size", 40, "chunk_overlap", 0);
        assertChunks(List.of("# Title\n\nIntro text here.", "## Install\n\n```\npip install pgml\n```", "## Usage\n\nCall it."),
                "markdown", MARKDOWN_DOC, "chunk_size", 40, "chunk_overlap", 0, "is_separator_regex", true);
    }

    @Test
    void langChainLatexExampleWithRegexSeparators() {
        assertChunks(List.of("Hi Harrison!", "\\chapter{1}"), "latex", "\nHi Harrison!\n\\chapter{1}\n",
                "chunk_size", 16, "chunk_overlap", 0, "is_separator_regex", true);
    }

    @Test
    void latexSectionsSplitWithRegexSeparators() {
        assertChunks(List.of("\\documentclass{article}\n\\begin{document}", "\\section{Intro}\nSome $x^2$ math.",
                        "\\section{Method}\nWe use $$E=mc^2$$", "here.\n\\end{document}"),
                "latex", LATEX_DOC, "chunk_size", 50, "chunk_overlap", 0, "is_separator_regex", true);
    }

    @Test
    void latexByDefaultMatchesTheTableLiterallySoSectionsAreNotFound() {
        // the table's "\n\\\\section{" is a regex for "\n\section{"; taken literally it wants two backslashes
        assertChunks(List.of("Hi", "Harrison!\n\\chap", "ter{1}"), "latex", "\nHi Harrison!\n\\chapter{1}\n",
                "chunk_size", 16, "chunk_overlap", 0);
        assertChunks(List.of("\\documentclass{article}\n\\begin{document}\n\\section{", "Intro}\nSome",
                        "$x^2$ math.\n\\section{Method}\nWe use", "$$E=mc^2$$ here.\n\\end{document}"),
                "latex", LATEX_DOC, "chunk_size", 50, "chunk_overlap", 0);
    }

    @Test
    void latexDollarSeparatorsAsRegexesMatchOnlyTheEndOfText() {
        // "$$" and "$" are end-of-text anchors as regexes, so math is only split at spaces
        assertChunks(List.of("\\documentclass{artic", "le}\n\\begin{document}", "\\section{Intro}\nSom", "e", "$x^2$ math.",
                        "\\section{Method}\nWe", "use $$E=mc^2$$", "here.\n\\end{document", "}"),
                "latex", LATEX_DOC, "chunk_size", 20, "chunk_overlap", 0, "is_separator_regex", true);
        assertChunks(List.of("\\documentclass{artic", "le}\n\\begin{document}", "\\section{Intro}\nSom", "e", "$x^2", "$",
                        "math.\n\\section{Meth", "od}\nWe", "use", "$$E=mc^2", "$", "$", "here.\n\\end{document", "}"),
                "latex", LATEX_DOC, "chunk_size", 20, "chunk_overlap", 0);
    }
}
