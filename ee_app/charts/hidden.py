"""How a chart shows a number hidden for anonymity: in grey, never in a colour of the scale,
so that hidden never reads as low. The heatmap and the trend line share these."""

HIDDEN_FILL = "#d9d9d9"  # hidden cells: grey, never a colour of the scale
HIDDEN_TEXT = "#595959"
