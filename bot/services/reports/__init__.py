"""The program report, and the lead's desk: everything only a lead may do."""
