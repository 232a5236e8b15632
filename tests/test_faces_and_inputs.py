"""The offline critic's people check with today's OpenCV (the shipped BlazeFace), and phone photos
turned upright by their EXIF orientation."""

from PIL import Image
from test_faceswap import draw_face

from chatdit.critics.base import CritiqueContext
from chatdit.critics.offline import OfflineCritic
from chatdit.schema import Instruction, Subject


def test_the_offline_critic_counts_a_face_with_opencv_5():
    picture = Image.fromarray(draw_face(width=256, height=256, cx=128, cy=128, scale=0.9))
    instruction = Instruction(prompt="a woman smiling", subjects=[Subject(name="woman")])
    judged = OfflineCritic().judge(picture, instruction, CritiqueContext(prompt=instruction.prompt))
    check = next(c for c in judged.critique.checks if c.name == "woman: present")
    assert check.verdict == "pass" and "1 frontal face" in check.detail


def test_a_phone_photo_is_turned_upright_by_its_exif_orientation(tmp_path):
    from chatdit.inputs import open_checked_image

    sideways = Image.new("RGB", (40, 20), (255, 0, 0))
    sideways.paste((0, 0, 255), (0, 0, 20, 20))  # blue on the left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view"
    sideways.save(tmp_path / "phone.jpg", exif=exif, quality=95)
    upright = open_checked_image(tmp_path / "phone.jpg")
    assert upright.size == (20, 40)
    red, _, blue = upright.getpixel((10, 5))
    assert blue > 200 and red < 60  # the stored left edge is now the top
