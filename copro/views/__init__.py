"""What commands show: each view returns values (dataclasses), none prints."""
