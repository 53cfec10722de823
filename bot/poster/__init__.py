"""`elternlotse poster`: a printable A4 poster for a Kita, in one language, with QR codes for the ways in."""
