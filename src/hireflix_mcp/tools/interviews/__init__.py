"""Interviews: invite (one or in bulk), search, find, read, transcripts, media, access, delete, re-invite.

- `inputs`: candidate fields and their rules, search conditions, cursors, the concurrency helper.
- `invite`, `bulk`: invite_candidate and invite_candidates.
- `search`: search_interviews and find_candidate.
- `read`: get_interview, get_interview_transcript, get_interview_media, get_interview_access_info.
- `delete`: delete_interview and reinvite_candidate (both confirmed).

Everything a candidate wrote leaves these modules sanitised, in fields typed `CandidateText` (or
documented as untrusted candidate content).
"""
