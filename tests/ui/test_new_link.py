"""The re-issued link panel shared by surveys and assessments: who it is for, the link, room
for more buttons beside the QR code, and the QR code as a PNG."""

from streamlit.testing.v1 import AppTest

from ee_app.ui.new_link import qr_png


def _panel() -> None:
    from ee_app.ui.new_link import show_new_link

    right = show_new_link("https://ee.example/s?t=abc", "王芳", "E1001", lambda text: text)
    right.button("More")


def test_the_panel_names_the_person_and_shows_the_link():
    app = AppTest.from_function(_panel).run()
    assert not app.exception
    assert app.success[0].value == "New link for 王芳 (E1001); the old one no longer works."
    assert app.code[0].value == "https://ee.example/s?t=abc"
    assert app.button[0].label == "More"  # the column beside the QR code takes more buttons


def test_the_qr_code_is_a_png():
    assert qr_png("https://ee.example/s?t=abc").startswith(b"\x89PNG")
