package dev.kelp.agent.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

/**
 * S3's XML, with the JDK's StAX (no extra dependency): a writer that escapes for us, and a
 * reader for the few request bodies S3 has (DeleteObjects, CompleteMultipartUpload) with DTDs
 * and external entities off.
 */
final class Xml {

    static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    /** Request bodies are lists of keys or parts: 10,000 parts fit in well under this. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newFactory();
    private static final XMLInputFactory INPUT = XMLInputFactory.newFactory();

    static {
        INPUT.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        INPUT.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        INPUT.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
    }

    private Xml() {
    }

    /** Builds one response document. */
    static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        private final XMLStreamWriter out;

        Writer(String root) {
            try {
                out = OUTPUT.createXMLStreamWriter(bytes, "UTF-8");
                out.writeStartDocument("UTF-8", "1.0");
                out.writeStartElement(root);
                out.writeDefaultNamespace(NAMESPACE);
            } catch (XMLStreamException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A root without the S3 namespace (the Error document has none). */
        static Writer plain(String root) {
            return new Writer(root, false);
        }

        private Writer(String root, boolean namespaced) {
            try {
                out = OUTPUT.createXMLStreamWriter(bytes, "UTF-8");
                out.writeStartDocument("UTF-8", "1.0");
                out.writeStartElement(root);
            } catch (XMLStreamException e) {
                throw new IllegalStateException(e);
            }
        }

        Writer start(String name) {
            try {
                out.writeStartElement(name);
            } catch (XMLStreamException e) {
                throw new IllegalStateException(e);
            }
            return this;
        }

        Writer end() {
            try {
                out.writeEndElement();
            } catch (XMLStreamException e) {
                throw new IllegalStateException(e);
            }
            return this;
        }

        /** {@code <name>text</name>}; nothing when text is null. */
        Writer element(String name, Object text) {
            if (text == null) {
                return this;
            }
            try {
                out.writeStartElement(name);
                out.writeCharacters(text.toString());
                out.writeEndElement();
            } catch (XMLStreamException e) {
                throw new IllegalStateException(e);
            }
            return this;
        }

        byte[] toBytes() {
            try {
                out.writeEndDocument();
                out.close();
            } catch (XMLStreamException e) {
                throw new IllegalStateException(e);
            }
            return bytes.toByteArray();
        }
    }

    /** Reads a small XML request body to its end, refusing bodies over {@link #MAX_BODY_BYTES}. */
    static byte[] readBody(InputStream body) throws IOException {
        var out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = body.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            if (out.size() > MAX_BODY_BYTES) {
                throw S3Exception.malformedXml("the XML body is larger than " + MAX_BODY_BYTES + " bytes");
            }
        }
        return out.toByteArray();
    }

    /**
     * The repeated {@code <record>} children of the root, each as its child elements' text, in
     * document order, plus the root's own simple children (such as {@code <Quiet>}).
     */
    static Parsed parse(byte[] body, String expectedRoot, String record) {
        List<java.util.Map<String, String>> records = new ArrayList<>();
        java.util.Map<String, String> top = new java.util.HashMap<>();
        try {
            XMLStreamReader in = INPUT.createXMLStreamReader(new java.io.ByteArrayInputStream(body));
            int depth = 0;
            java.util.Map<String, String> current = null;
            String element = null;
            StringBuilder text = new StringBuilder();
            boolean sawRoot = false;
            while (in.hasNext()) {
                int event = in.next();
                switch (event) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        depth++;
                        String name = localName(in.getLocalName());
                        if (depth == 1) {
                            if (!name.equals(expectedRoot)) {
                                throw S3Exception.malformedXml("the XML you provided was not well-formed or did not validate: expected <"
                                    + expectedRoot + ">, not <" + name + ">");
                            }
                            sawRoot = true;
                        } else if (depth == 2 && name.equals(record)) {
                            current = new java.util.HashMap<>();
                        } else {
                            element = name;
                            text.setLength(0);
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> text.append(in.getText());
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (depth == 2 && current != null) {
                            records.add(current);
                            current = null;
                        } else if (depth == 3 && current != null && element != null) {
                            current.put(element, text.toString());
                        } else if (depth == 2 && element != null) {
                            top.put(element, text.toString().strip());
                        }
                        element = null;
                        depth--;
                    }
                    default -> {
                        // comments, whitespace, the prolog
                    }
                }
            }
            if (!sawRoot) {
                throw S3Exception.malformedXml("the request needs an XML body with a <" + expectedRoot + "> element");
            }
        } catch (XMLStreamException e) {
            throw S3Exception.malformedXml("the XML you provided was not well-formed: " + e.getMessage());
        }
        return new Parsed(records, top);
    }

    /**
     * A PutObjectTagging body: {@code <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>},
     * each Tag with one Key and one Value, nothing else. The tags in document order, duplicates
     * kept (the caller's rules refuse them); anything else is MalformedXML.
     */
    static List<dev.kelp.agent.object.ObjectTags.Tag> parseTagging(byte[] body) {
        List<dev.kelp.agent.object.ObjectTags.Tag> tags = new ArrayList<>();
        try {
            XMLStreamReader in = INPUT.createXMLStreamReader(new java.io.ByteArrayInputStream(body));
            java.util.Deque<String> path = new java.util.ArrayDeque<>();
            String key = null;
            String value = null;
            int tagSets = 0;
            StringBuilder text = new StringBuilder();
            while (in.hasNext()) {
                int event = in.next();
                switch (event) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        String name = localName(in.getLocalName());
                        String expected = switch (path.size()) {
                            case 0 -> "Tagging";
                            case 1 -> "TagSet";
                            case 2 -> "Tag";
                            default -> null;
                        };
                        boolean field = path.size() == 3 && (name.equals("Key") || name.equals("Value"));
                        if (!field && !name.equals(expected)) {
                            throw S3Exception.malformedXml("The XML you provided was not well-formed or did not validate against our"
                                + " published schema: unexpected <" + name + "> in " + String.join("/", path.reversed()));
                        }
                        if (name.equals("TagSet") && ++tagSets > 1) {
                            throw S3Exception.malformedXml("The XML you provided was not well-formed: more than one <TagSet>");
                        }
                        if (name.equals("Tag")) {
                            key = null;
                            value = null;
                        }
                        path.push(name);
                        text.setLength(0);
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> text.append(in.getText());
                    case XMLStreamConstants.END_ELEMENT -> {
                        String name = path.pop();
                        if (name.equals("Key") || name.equals("Value")) {
                            boolean twice = name.equals("Key") ? key != null : value != null;
                            if (twice) {
                                throw S3Exception.malformedXml("The XML you provided was not well-formed: a <Tag> has more than one <"
                                    + name + ">");
                            }
                            if (name.equals("Key")) {
                                key = text.toString();
                            } else {
                                value = text.toString();
                            }
                        } else if (name.equals("Tag")) {
                            if (key == null || value == null) {
                                throw S3Exception.malformedXml("The XML you provided was not well-formed or did not validate against our"
                                    + " published schema: every <Tag> needs a <Key> and a <Value>");
                            }
                            tags.add(new dev.kelp.agent.object.ObjectTags.Tag(key, value));
                        }
                        text.setLength(0);
                    }
                    default -> {
                        // comments, whitespace, the prolog
                    }
                }
            }
            if (tagSets == 0) {
                throw S3Exception.malformedXml("The XML you provided was not well-formed or did not validate against our published"
                    + " schema: a <Tagging> document with a <TagSet> is required");
            }
        } catch (XMLStreamException e) {
            throw S3Exception.malformedXml("The XML you provided was not well-formed: " + e.getMessage());
        }
        return tags;
    }

    private static String localName(String name) {
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(colon + 1);
    }

    record Parsed(List<java.util.Map<String, String>> records, java.util.Map<String, String> top) {
    }
}
