"""Renders lines of text in DejaVu Sans, black on white, as a binary PPM for the OCR example.
Usage: render.py OUT.ppm WIDTH HEIGHT LINE [LINE...]  (needs python3-pil and fonts-dejavu-core)"""
import sys

from PIL import Image, ImageDraw, ImageFont

out, width, height, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
size = 32
font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size)
img = Image.new("RGB", (width, height), "white")
draw = ImageDraw.Draw(img)
step = height // len(lines)
for i, text in enumerate(lines):
    draw.text((6, i * step + (step - size - 6) // 2), text, fill="black", font=font)
img.save(out, format="PPM")
