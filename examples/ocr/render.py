"""Renders lines of text in DejaVu Sans, black on white, as a binary PPM for the OCR example.
Usage: render.py OUT.ppm WIDTH HEIGHT LINE [LINE...]  (needs python3-pil and fonts-dejavu-core)
tests/corpus/corpus.py draws its OCR inputs with draw() too."""
import sys

from PIL import Image, ImageDraw, ImageFont


def draw(lines, width, height, size=32):
    """An RGB image of `lines`, one per equal band of the height, 6 pixels from the left."""
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size)
    img = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(img)
    step = height // len(lines)
    for i, text in enumerate(lines):
        pen.text((6, i * step + (step - size - 6) // 2), text, fill="black", font=font)
    return img


if __name__ == "__main__":
    out, width, height, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    draw(lines, width, height).save(out, format="PPM")
