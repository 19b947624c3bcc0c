package dev.bulwark.attachments;

/** The file types an attachment may be, each as its MIME type; decided by {@link Sniffer}. */
public enum FileType {
  JPEG("image/jpeg"),
  PNG("image/png"),
  WEBP("image/webp"),
  HEIC("image/heic"),
  PDF("application/pdf");

  private final String mimeType;

  FileType(String mimeType) {
    this.mimeType = mimeType;
  }

  public String mimeType() {
    return mimeType;
  }
}
