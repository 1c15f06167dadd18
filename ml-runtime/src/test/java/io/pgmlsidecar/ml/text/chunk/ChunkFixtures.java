package io.pgmlsidecar.ml.text.chunk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Texts and helpers shared by the chunker tests. Expected chunks in the tests are LangChain's: copied from
 * LangChain's own unit tests where they say so, otherwise worked out with LangChain's algorithm.
 */
final class ChunkFixtures {
    /** LangChain's test_iterative_text_splitter text. */
    static final String HARRISON = "Hi.\n\nI'm Harrison.\n\nHow? Are? You?\nOkay then f f f f.\n"
            + "This is a weird text to write, but gotta test the splittingggg some how.\n\nBye!\n\n-H.";

    /** LangChain's FAKE_PYTHON_TEXT (test_python_text_splitter). */
    static final String FAKE_PYTHON = "\nclass Foo:\n\n    def bar():\n\n\ndef foo():\n\ndef testing_func():\n\ndef bar():\n";

    static final String PYTHON_CODE = "class Greeter:\n    def __init__(self, name):\n        self.name = name\n\n"
            + "    def greet(self):\n        return \"Hello \" + self.name\n\n\ndef main():\n    Greeter(\"pg\").greet()\n";

    static final String MARKDOWN_DOC = "# Title\n\nIntro text here.\n\n## Install\n\n```\npip install pgml\n```\n\n"
            + "## Usage\n\nCall it.";

    static final String LATEX_DOC = "\\documentclass{article}\n\\begin{document}\n\\section{Intro}\nSome $x^2$ math.\n"
            + "\\section{Method}\nWe use $$E=mc^2$$ here.\n\\end{document}";

    /** U+1F600, one Python character but two Java chars. */
    static final String GRIN = "\uD83D\uDE00";

    private ChunkFixtures() {
    }

    /** kwargs from alternating names and values, in order (as Jackson would parse a JSON object). */
    static Map<String, Object> kwargs(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    static List<String> chunk(String splitter, String text, Object... namesAndValues) {
        return TextChunker.chunk(splitter, text, kwargs(namesAndValues));
    }

    static void assertChunks(List<String> expected, String splitter, String text, Object... namesAndValues) {
        assertEquals(expected, chunk(splitter, text, namesAndValues));
    }

    static ChunkingException rejected(String splitter, String text, Object... namesAndValues) {
        return assertThrows(ChunkingException.class, () -> chunk(splitter, text, namesAndValues));
    }
}
