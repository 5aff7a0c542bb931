"""Projects: image, video and audio generation (grows with the image and media issues)."""
