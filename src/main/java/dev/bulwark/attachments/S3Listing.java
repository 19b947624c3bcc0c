package dev.bulwark.attachments;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * One page of a ListObjectsV2 answer: its keys with their last-modified times, and what follows.
 */
record S3Listing(List<Entry> entries, String next) {
  record Entry(String key, Instant lastModified) {}

  private static final XMLInputFactory XML = factory();

  private static XMLInputFactory factory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    // an answer is data, never a reason to read another file or expand entities
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    return f;
  }

  static S3Listing parse(Buffer body) throws XMLStreamException {
    XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(body.getBytes()));
    List<Entry> entries = new ArrayList<>();
    String next = null;
    boolean truncated = false;
    String key = null;
    Instant modified = null;
    int depth = 0;
    try {
      while (r.hasNext()) {
        int event = r.next();
        if (event == XMLStreamConstants.START_ELEMENT) {
          depth++;
          String name = r.getLocalName();
          if (depth == 2 && name.equals("Contents")) {
            key = null;
            modified = null;
          } else if (depth == 3 && name.equals("Key")) {
            key = r.getElementText();
            depth--;
          } else if (depth == 3 && name.equals("LastModified")) {
            modified = Instant.parse(r.getElementText().trim());
            depth--;
          } else if (depth == 2 && name.equals("IsTruncated")) {
            truncated = Boolean.parseBoolean(r.getElementText().trim());
            depth--;
          } else if (depth == 2 && name.equals("NextContinuationToken")) {
            next = r.getElementText();
            depth--;
          }
        } else if (event == XMLStreamConstants.END_ELEMENT) {
          if (depth == 2 && r.getLocalName().equals("Contents") && key != null) {
            entries.add(new Entry(key, modified == null ? Instant.EPOCH : modified));
          }
          depth--;
        }
      }
    } finally {
      r.close();
    }
    return new S3Listing(entries, truncated ? next : null);
  }
}
