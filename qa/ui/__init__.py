"""Browser front end: the Gradio chat page, the document viewer and the sign-in page."""
