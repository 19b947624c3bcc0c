package dev.bulwark.auth;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.util.Map;

/**
 * A QR code as a small SVG document: ZXing computes the modules, each dark run of a row becomes one
 * path segment. No image library, no raster.
 */
final class QrSvg {
  private static final int QUIET_ZONE = 4;

  private QrSvg() {}

  static String render(String text) {
    BitMatrix m;
    try {
      m =
          new QRCodeWriter()
              .encode(
                  text,
                  BarcodeFormat.QR_CODE,
                  0,
                  0,
                  Map.of(
                      EncodeHintType.ERROR_CORRECTION,
                      ErrorCorrectionLevel.M,
                      EncodeHintType.MARGIN,
                      QUIET_ZONE));
    } catch (WriterException e) {
      throw new IllegalStateException("the otpauth URI does not fit a QR code", e);
    }
    int w = m.getWidth();
    int h = m.getHeight();
    StringBuilder path = new StringBuilder();
    for (int y = 0; y < h; y++) {
      int x = 0;
      while (x < w) {
        if (!m.get(x, y)) {
          x++;
          continue;
        }
        int start = x;
        while (x < w && m.get(x, y)) {
          x++;
        }
        path.append('M')
            .append(start)
            .append(',')
            .append(y)
            .append('h')
            .append(x - start)
            .append("v1h-")
            .append(x - start)
            .append('z');
      }
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
        + w
        + " "
        + h
        + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        + "<path fill=\"#000\" d=\""
        + path
        + "\"/></svg>";
  }
}
