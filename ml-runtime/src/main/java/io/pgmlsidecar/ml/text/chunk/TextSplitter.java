package io.pgmlsidecar.ml.text.chunk;

import java.util.List;

/** One configured splitter ({@code split_text} of a LangChain text splitter). */
interface TextSplitter {
    List<String> split(String text);
}
